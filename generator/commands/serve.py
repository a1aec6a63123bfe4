"""`hindsight serve`: builds the archive, then serves it on this computer for reading with search.

Consumes the build options plus a port and a subpath (to try the site as it will sit on
GitHub Pages, e.g. `/archive/`); produces a local web server on 127.0.0.1 that answers only
under that subpath and shows the site's 404 page elsewhere. Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path
from urllib.parse import urlsplit

from generator.commands.build import add_build_arguments, run_build


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "serve",
        help="build the archive and read it in a browser, with search",
        description="Build the archive website, then serve it from this computer so you can read it in a "
        "browser with search working (search needs a web server; opened straight from disk, the site "
        "falls back to a simpler search). Use --subpath to check the site at the address it will have "
        "once published, e.g. --subpath /archive/. Only this computer can connect. Stop with Ctrl-C.",
    )
    add_build_arguments(command)
    command.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    command.add_argument("--subpath", metavar="PATH",
                         help="serve the site under this path, e.g. /archive/ or / (default: the path of the "
                         "published address, so the site is tried where it will live)")
    command.set_defaults(run=run)


def normalise_subpath(subpath: str) -> str:
    parts = [part for part in subpath.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise ValueError(f"--subpath cannot contain . or ..: {subpath!r}")
    return "/" + "".join(part + "/" for part in parts)


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a site folder under a subpath; anything else gets the site's 404 page."""

    subpath = "/"
    quiet = False

    def translate_path(self, path: str) -> str:
        route = urlsplit(path).path
        if not route.startswith(self.subpath):
            return str(Path(self.directory) / "404.html" / "outside-the-subpath")
        return super().translate_path("/" + route[len(self.subpath):])

    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        route = urlsplit(self.path).path
        if route == self.subpath.rstrip("/") and self.subpath != "/":
            self.send_response(301)
            self.send_header("Location", self.subpath)
            self.end_headers()
            return
        super().do_GET()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the http.server signature
        if not self.quiet:
            sys.stderr.write("  " + (format % args) + "\n")


def make_server(site: Path, subpath: str = "/", port: int = 0, quiet: bool = False) -> http.server.ThreadingHTTPServer:
    settings = {"subpath": normalise_subpath(subpath), "quiet": quiet}
    handler = functools.partial(type("Handler", (SiteHandler,), settings),
                                directory=str(site))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def run(args: argparse.Namespace) -> int:
    try:
        normalise_subpath(args.subpath or "/")
    except ValueError as error:
        print(f"hindsight serve: {error}", file=sys.stderr)
        return 2
    status, result = run_build(args)
    if status != 0 or result is None:
        return status
    subpath = normalise_subpath(args.subpath if args.subpath is not None else urlsplit(result.base_url).path)
    try:
        server = make_server(Path(args.output), subpath, args.port)
    except OSError as error:
        print(f"hindsight serve: cannot listen on port {args.port}: {error}", file=sys.stderr)
        return 2
    host, port = server.server_address[:2]
    print(f"Serving the archive at http://{host}:{port}{subpath} (Ctrl-C to stop)", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
