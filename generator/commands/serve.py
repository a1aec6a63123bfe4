"""`hindsight serve`: builds the archive, then serves it on this computer for reading with search,
as a live preview.

Consumes the build options plus a port and a subpath (to try the site as it will sit on
GitHub Pages, e.g. `/archive/`); produces a local web server on 127.0.0.1 that answers only
under that subpath and shows the site's 404 page elsewhere. While it runs, a change to any file
under content/, templates/ or seeds/ rebuilds the site (incrementally: only the pages the change
touches are rendered again) and reloads open pages; when the content has errors, every page
shows them (file:line and message) instead of the stale site.
Stop it with Ctrl-C.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import html
import http.server
import json
import os
import signal
import sys
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from generator import search
from generator.commands.build import add_build_arguments, run_build
from generator.incremental.preview import PreviewState, write_remembered_record
from generator.pages import TEMPLATES
from generator.problems import format_problem


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
    command.add_argument("--no-watch", dest="watch", action="store_false",
                         help="serve the site as built, without rebuilding when files change")
    command.set_defaults(run=run)


def normalise_subpath(subpath: str) -> str:
    parts = [part for part in subpath.split("/") if part]
    if any(part in (".", "..") for part in parts):
        raise ValueError(f"--subpath cannot contain . or ..: {subpath!r}")
    return "/" + "".join(part + "/" for part in parts)


VERSION_ROUTE = "__hindsight/version"
LOCAL_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})   # the Host names a request to this computer has
# The page asks for the version, then asks again with ?since=<it>: the server answers that as
# soon as a rebuild changes it (or after WAIT seconds), and the page reloads at once.
RELOAD_SCRIPT = (
    "<script>(function(){var v=null;function poll(){fetch(%s+(v===null?'':'?since='+encodeURIComponent(v)),"
    "{cache:'no-store'}).then(function(r){return r.text()}).then(function(t){if(v!==null&&t!==v){"
    "location.reload();return}v=t;setTimeout(poll,20)}).catch(function(){setTimeout(poll,1000)})}poll()})();"
    "</script>"
)
WAIT = 20.0   # seconds a ?since= request waits for a rebuild before answering the same version


class Preview:
    """The live preview's state: rebuilds when watched files change and remembers the last errors,
    and, in `state`, what the last build read and made (a rebuild after one edit then reads
    and works out again only what the edit touched)."""

    def __init__(self, args: argparse.Namespace, watched: list[Path], state: PreviewState | None = None):
        self.args = args
        self.state = state if state is not None else PreviewState()
        self.watched = watched
        self.version = 0
        self.changed = threading.Condition()   # notified when `version` changes
        self.errors: list[str] = []
        self.lock = threading.Lock()
        self.scan_seconds = 0.0   # how long the last look at the watched files took
        self.snapshot = self._snapshot()

    def _snapshot(self) -> dict[str, tuple[int, int]]:
        """Each watched file's modification time and size, by path; files whose names start
        with a dot (editors' swap and lock files) are left out. Walked with `os.scandir`:
        `Path.rglob` and a stat each cost a large archive's idle preview a core."""
        started = time.perf_counter()
        seen: dict[str, tuple[int, int]] = {}
        folders = [str(folder) for folder in self.watched]
        while folders:
            try:
                entries = os.scandir(folders.pop())
            except OSError:   # not there (yet), or not a folder
                continue
            with entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif not entry.name.startswith(".") and entry.is_file():
                        stat = entry.stat()
                        seen[entry.path] = (stat.st_mtime_ns, stat.st_size)
        self.scan_seconds = time.perf_counter() - started
        return seen

    def rebuild_if_changed(self) -> bool:
        """Rebuild when a watched file was added, removed or changed; True when it did. When
        none did, the last build's record is written, if it is not yet (`keep_record`).

        The files are compared with how they were before the rebuild began: a file saved while
        it ran (the build may have read it before the save) is a change the next look rebuilds
        for, as is a sheet extraction wrote (that rebuild finds nothing new to extract)."""
        with self.lock:
            current = self._snapshot()
            if current == self.snapshot:
                self.keep_record()
                return False
            self.snapshot = current
            self.rebuild()
            return True

    def rebuild(self) -> None:
        """Rebuild, the pages first: a search index shard whose pages changed keeps its previous
        bundle, and the verdict history's feeds stay as they were, until a second build,
        straight after, indexes that shard and writes the feeds (`search.pages_first`), so an
        edit shows in the page without waiting for Pagefind."""
        started = time.perf_counter()
        with search.pages_first() as deferred:
            built = self._build()
        self._bump("with errors: every page shows them" if self.errors else
                   f"rebuilt in {time.perf_counter() - started:.1f} s")
        if built and deferred:
            started = time.perf_counter()
            self._build()
            self._bump("with errors: every page shows them" if self.errors else
                       f"search index updated in {time.perf_counter() - started:.1f} s")

    def _build(self) -> bool:
        from generator.build import build
        from generator.commands.build import options_from

        try:   # from the watcher thread, beside the server's: render in this process, never fork
            result = build(dataclasses.replace(options_from(self.args), processes=1), self.state)
        except Exception as error:  # shown in the page, never a dead server
            self.errors = [f"the build failed: {error}"]
            return False
        self.errors = [] if result.built else [format_problem(p) for p in result.problems
                                                if p.severity == "error"]
        for note in result.notes:   # e.g. a new seed that could not be extracted
            print(f"hindsight serve: note: {note}", file=sys.stderr)
        return result.built

    def _bump(self, state: str) -> None:
        """A new version of the site: open pages reload."""
        with self.changed:
            self.version += 1
            self.changed.notify_all()
        print(f"hindsight serve: {state} (version {self.version})", file=sys.stderr)

    def version_after(self, seen: str, wait: float = WAIT) -> int:
        """The version, once it is not `seen` (or after `wait` seconds)."""
        with self.changed:
            self.changed.wait_for(lambda: str(self.version) != seen, wait)
            return self.version

    def keep_record(self) -> None:
        """Write the last build's record for a later build from the command line, which would
        render every page without it: when the preview is idle, and when it stops. (Each
        build keeps it in memory only: writing it after every edit slows a large archive's
        rebuilds.)"""
        try:
            write_remembered_record(Path(self.args.output), self.state)
        except OSError as error:
            print(f"hindsight serve: could not write the build's record ({error}); the next build from the "
                  "command line will render every page", file=sys.stderr)

    def stop(self) -> None:
        """When the preview stops: after a rebuild under way, the record is written."""
        with self.lock:
            self.keep_record()

    def watch(self, interval: float = 0.2) -> None:
        """Look for changes every `interval` seconds, or less often where looking takes long (a
        large archive): at most a tenth of the time is spent looking."""
        while True:
            time.sleep(max(interval, 10 * self.scan_seconds))
            try:
                self.rebuild_if_changed()
            except OSError:
                continue  # a file vanished mid-scan; the next pass sees the settled state

    def error_page(self) -> bytes:
        items = "".join(f"<li><pre>{html.escape(error)}</pre></li>" for error in self.errors)
        return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Content errors</title>"
                "<style>body{font:16px/1.5 system-ui,sans-serif;margin:2rem;max-width:60rem}"
                "pre{white-space:pre-wrap;background:#fff4f4;border-left:4px solid #b00020;padding:.5rem 1rem}"
                "li{list-style:none}</style></head><body><main><h1>The archive has content errors</h1>"
                f"<p>Fix them and save; this page reloads by itself.</p><ol>{items}</ol></main></body></html>"
                ).encode("utf-8")


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a site folder under a subpath; anything else gets the site's 404 page."""

    subpath = "/"
    quiet = False
    preview: Preview | None = None

    def translate_path(self, path: str) -> str:
        nowhere = str(Path(self.directory) / "404.html" / "not-in-the-site")   # no file is there: a 404
        route = urlsplit(path).path
        if not route.startswith(self.subpath):
            return nowhere
        translated = super().translate_path("/" + route[len(self.subpath):])
        try:   # %00 or a lone surrogate (%ED%A0%80) names no file: opening it would raise, not fail
            if b"\0" in os.fsencode(translated):
                return nowhere
        except UnicodeError:
            return nowhere
        return translated

    def list_directory(self, path):
        """A folder without an index page is not listed (static/, pagefind/): the 404 page."""
        self.send_error(404)
        return None

    def _addressed_here(self) -> bool:
        """Whether the request names this server: a page elsewhere whose name a DNS rebinding
        points at 127.0.0.1 sends its own host name, and is refused (403)."""
        host = (self.headers.get("Host") or "").strip().lower()
        port = self.server.server_address[1]
        allowed = {f"{name}:{port}" for name in LOCAL_NAMES}
        if port == 80:
            allowed |= LOCAL_NAMES
        if host in allowed:
            return True
        self._send(403, "text/plain; charset=utf-8",
                   f"hindsight serve answers only requests to localhost:{port} or 127.0.0.1:{port}\n".encode())
        return False

    def do_HEAD(self) -> None:  # noqa: N802 - the http.server naming
        if self._addressed_here():
            super().do_HEAD()

    def do_GET(self) -> None:  # noqa: N802 - the http.server naming
        if not self._addressed_here():
            return
        route = urlsplit(self.path).path
        if route == self.subpath.rstrip("/") and self.subpath != "/":
            self.send_response(301)
            self.send_header("Location", self.subpath)
            self.end_headers()
            return
        if self.preview is not None and self._preview_response(route):
            return
        super().do_GET()

    def _preview_response(self, route: str) -> bool:
        """Live preview: the version counter, the error page, and pages that reload themselves."""
        if route == self.subpath + VERSION_ROUTE:
            seen = parse_qs(urlsplit(self.path).query).get("since")
            version = self.preview.version_after(seen[0]) if seen else self.preview.version
            self._send(200, "text/plain; charset=utf-8", str(version).encode())
            return True
        wants_page = route.endswith("/") or route.endswith(".html")
        if wants_page and self.preview.errors:
            self._send(500, "text/html; charset=utf-8", self._with_reload(self.preview.error_page()))
            return True
        if wants_page:
            path = Path(self.translate_path(self.path))
            path = path / "index.html" if path.is_dir() else path
            if path.is_file():
                self._send(200, "text/html; charset=utf-8", self._with_reload(path.read_bytes()))
                return True
        return False

    def _with_reload(self, page: bytes) -> bytes:
        script = (RELOAD_SCRIPT % json.dumps(self.subpath + VERSION_ROUTE)).encode()
        at = page.rfind(b"</body>")
        return page[:at] + script + page[at:] if at >= 0 else page + script

    def _send(self, code: int, kind: str, body: bytes) -> None:
        try:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):   # the page left (a reload, a link followed) meanwhile
            self.close_connection = True

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


def make_server(site: Path, subpath: str = "/", port: int = 0, quiet: bool = False,
                preview: Preview | None = None) -> http.server.ThreadingHTTPServer:
    settings = {"subpath": normalise_subpath(subpath), "quiet": quiet, "preview": preview}
    handler = functools.partial(type("Handler", (SiteHandler,), settings),
                                directory=str(site))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)


def run(args: argparse.Namespace) -> int:
    args.incremental = True   # a live preview renders again only the pages a change touches
    try:
        normalise_subpath(args.subpath or "/")
    except ValueError as error:
        print(f"hindsight serve: {error}", file=sys.stderr)
        return 2
    state = PreviewState() if args.watch else None
    status, result = run_build(args, state)
    content_errors = status == 1 and result is not None and args.watch
    if (status != 0 or result is None) and not content_errors:
        return status
    published = urlsplit(result.base_url).path if result.built else "/"
    subpath = normalise_subpath(args.subpath if args.subpath is not None else published)
    preview = None
    if args.watch:
        content = Path(args.content)
        preview = Preview(args, [content, content.parent / "seeds", TEMPLATES], state)
        if content_errors:  # serve the errors, and the site as soon as they are fixed
            preview.errors = [format_problem(p) for p in result.problems if p.severity == "error"]
            Path(args.output).mkdir(parents=True, exist_ok=True)
        threading.Thread(target=preview.watch, daemon=True).start()
    try:
        server = make_server(Path(args.output), subpath, args.port, preview=preview)
    except OSError as error:
        print(f"hindsight serve: cannot listen on port {args.port}: {error}", file=sys.stderr)
        if preview is not None:
            preview.stop()
        return 2
    host, port = server.server_address[:2]
    print(f"Serving the archive at http://{host}:{port}{subpath} (Ctrl-C to stop)", file=sys.stderr)
    if threading.current_thread() is threading.main_thread():   # stopped by kill as by Ctrl-C: the record is kept
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        if preview is not None:
            preview.stop()
    return 0
