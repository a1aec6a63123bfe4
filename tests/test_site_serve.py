"""`hindsight serve`'s web server: the site under a subpath, the 404 page everywhere else."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest

from generator.commands.serve import make_server, normalise_subpath


@pytest.fixture
def server(built_site):
    running = make_server(built_site, "archive", 0, quiet=True)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{running.server_address[1]}"
    running.shutdown()
    running.server_close()


def status(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, response.read(), response.url
    except urllib.error.HTTPError as error:
        return error.code, error.read(), url


def test_pages_are_served_under_the_subpath(server, built_site):
    code, body, _ = status(server + "/archive/index.html")
    assert code == 200 and body == (built_site / "index.html").read_bytes()
    code, _, final = status(server + "/archive")
    assert code == 200 and final.endswith("/archive/")


def test_outside_the_subpath_and_missing_pages_get_the_404_page(server, built_site):
    for path in ("/index.html", "/favicon.ico", "/archive/claims/nothing/index.html", "/archive/../etc/passwd"):
        code, body, _ = status(server + path)
        assert code == 404
        assert body == (built_site / "404.html").read_bytes()


@pytest.mark.parametrize("given, expected", [("/", "/"), ("archive", "/archive/"), ("/a/b/", "/a/b/"), ("", "/")])
def test_subpath_is_normalised(given, expected):
    assert normalise_subpath(given) == expected


def test_subpath_cannot_climb():
    with pytest.raises(ValueError):
        normalise_subpath("/../x/")


def raw_request(server: str, path: str, method: str = "GET", host: str | None = None) -> tuple[int, bytes]:
    """One request sent as written (no quoting of the path), with the Host header given."""
    import http.client
    from urllib.parse import urlsplit

    address = urlsplit(server)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest(method, path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", ["/archive/%00", "/archive/a%00.html", "/archive/claims/%00/", "/archive/%ED%A0%80",
                                  "/archive/%FF", "/archive/%C0%AF..%C0%AFetc/passwd"])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_addresses_naming_no_file_get_the_404_page(server, built_site, path, method):
    """A NUL or a lone surrogate cannot name a file: the 404 page, never a dropped connection."""
    code, body = raw_request(server, path, method)
    assert code == 404
    assert body == (b"" if method == "HEAD" else (built_site / "404.html").read_bytes())


@pytest.mark.parametrize("folder", ["static/", "pagefind/", "claims/", "articles/"])
def test_folders_without_an_index_page_are_not_listed(server, built_site, folder):
    assert (built_site / folder).is_dir() and not (built_site / folder / "index.html").exists()
    code, body, _ = status(server + "/archive/" + folder)
    assert code == 404 and body == (built_site / "404.html").read_bytes()


@pytest.mark.parametrize("host", ["evil.example", "evil.example:{port}", "127.0.0.1.evil.example:{port}",
                                  "localhost:1", "localhost", "", "127.0.0.2:{port}"])
def test_requests_addressed_to_another_host_are_refused(server, host):
    """DNS rebinding: a page on another site whose name now points at 127.0.0.1 sends its own
    name as Host; only the names of this computer, with this server's port, are answered."""
    port = server.rsplit(":", 1)[1]
    code, body = raw_request(server, "/archive/index.html", host=host.format(port=port))
    assert code == 403 and b"localhost:" + port.encode() in body


@pytest.mark.parametrize("name", ["localhost", "127.0.0.1", "[::1]", "LocalHost"])
def test_requests_addressed_to_this_computer_are_answered(server, built_site, name):
    port = server.rsplit(":", 1)[1]
    code, body = raw_request(server, "/archive/index.html", host=f"{name}:{port}")
    assert code == 200 and body == (built_site / "index.html").read_bytes()
