"""`newsgen serve` over HTTP: paths, safety, errors, the terminal."""
from __future__ import annotations

import re
import socket
import time

import pytest

from conftest import make_site, run_newsgen, story, tiny_jpeg
from servers import Serving

SITE = f"""
-- content/news/a/en.md --
{story("First", slug="a", image="lead.jpg")}
-- content/news/a/ua.md --
{story("Перша", slug="a")}
"""


JPEG = tiny_jpeg()


@pytest.fixture
def served(tmp_path):
    (tmp_path / "outside.txt").write_text("secret")
    root = make_site(tmp_path / "site", SITE)
    (root / "content/news/a/lead.jpg").write_bytes(JPEG)
    server = Serving(root)
    yield root, server
    server.stop()


def test_serves_the_site_under_the_base_path(served):
    root, server = served
    assert server.raw("/").startswith("HTTP/1.1 302")
    status, body = server.get("en/2023/11/a/")
    assert status == 200 and "<h1>First</h1>" in body
    assert '<script src="/__newsgen/livereload.js"></script></body>' in body
    assert server.get("en/2023/11/a/lead.jpg")[0] == 200
    assert server.get("static/style.css")[0] == 200
    status, body = server.get("en/2023/11/nothing/")
    assert status == 404 and "Сторінку не знайдено" in body
    assert server.raw("/news/en/2023/11/a").startswith("HTTP/1.1 302")  # add the slash, like nginx


@pytest.mark.parametrize("path", [
    "/news/../site.toml", "/news/%2e%2e/site.toml", "/news/%2E%2E/%2E%2E/outside.txt", "/news/static/../../site.toml",
    "/news/static/%2e%2e/%2e%2e/site.toml", "//etc/passwd", "/news//etc/passwd", "/news/..%2fsite.toml",
    "/news/static/..\\..\\site.toml", "/news/content/news/a/en.md", "/news/site.toml", "/etc/passwd",
])
def test_never_serves_a_file_outside_the_output(served, path):
    _, server = served
    status = server.raw(path)
    assert status.startswith("HTTP/1.1 404"), (path, status)


def test_an_edit_is_served_at_once_and_reported_in_one_line(served):
    root, server = served
    path = root / "content/news/a/en.md"
    path.write_text(path.read_text().replace("title: First", "title: First, corrected"))
    server.wait_for("en/2023/11/a/", "First, corrected")
    path.write_text("---\ntitle: Broken\ntags: [broken\n---\n")
    time.sleep(1)
    assert "First, corrected" in server.get("en/2023/11/a/")[1]  # still the last good build
    code, out, err = server.stop()
    assert code == 0
    # "rebuilt 0 pages" when the edit lands before the page was first asked for, "1 page" after
    assert any(re.match(r"rebuilt \d+ pages? in \d+ ms \(content/news/a/en\.md", line)
               for line in out.splitlines()), out
    assert "content/news/a/en.md:3: a list opened with `[` is not closed" in err
    assert "Traceback" not in err


def test_binds_to_this_machine_only_and_reports_a_port_in_use(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    (root / "content/news/a/lead.jpg").write_bytes(JPEG)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_newsgen("serve", "--site", str(root), "--port", str(port))
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_site_folder_that_is_not_there_is_bad_usage(tmp_path):
    result = run_newsgen("serve", "--site", str(tmp_path / "no-such-site"), "--port", "0")
    assert result.returncode == 2
    assert f"there is no folder {tmp_path / 'no-such-site'}" in result.stderr and "--site" in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_output_never_reaches_the_build(tmp_path):
    root = make_site(tmp_path / "site", SITE)
    (root / "content/news/a/lead.jpg").write_bytes(JPEG)
    server = Serving(root)
    server.stop()
    assert run_newsgen("build", "--site", str(root)).returncode == 0
    for page in (root / "output").rglob("*.html"):
        assert "livereload" not in page.read_text()
