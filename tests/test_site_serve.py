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
