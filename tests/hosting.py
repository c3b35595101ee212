"""A real nginx serving a built site under a sub-path, for tests."""
from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

NGINX_CONF = """\
daemon off;
worker_processes 1;
user root;
error_log {prefix}/error.log;
pid {prefix}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    {http_extra}
    server {{
        listen 127.0.0.1:{port};
        {server_extra}
        location {sub_path} {{
            alias {output}/;
            error_page 404 {sub_path}404.html;
        }}
    }}
}}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Nginx:
    def __init__(self, nginx: str, output: Path, sub_path: str, workdir: Path, port: int,
                 redirects: bool = False):
        """`redirects`: include the build's nginx-redirects.conf map, as its comment says to."""
        self.port = port
        self.sub_path = sub_path
        self.base = f"http://127.0.0.1:{self.port}{sub_path}"
        workdir.mkdir(parents=True, exist_ok=True)
        conf = workdir / "nginx.conf"
        http_extra = f"include {output}/nginx-redirects.conf;" if redirects else ""
        server_extra = "if ($newsgen_redirect) { return 301 $newsgen_redirect; }" if redirects else ""
        conf.write_text(NGINX_CONF.format(prefix=workdir, port=self.port, sub_path=sub_path, output=output,
                                          http_extra=http_extra, server_extra=server_extra))
        self.process = subprocess.Popen([nginx, "-c", str(conf), "-p", str(workdir)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("nginx did not start: " + self.process.stdout.read().decode())
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening")

    def get(self, url: str, follow: bool = True) -> tuple[int, bytes, str]:
        """(status, body, content type); with follow=False a redirect is returned as it is."""
        if not follow:
            class NoRedirect(urllib.request.HTTPRedirectHandler):
                def redirect_request(self, *args, **kwargs):
                    return None
            try:
                with urllib.request.build_opener(NoRedirect).open(url, timeout=10) as response:
                    return response.status, response.read(), response.headers.get_content_type()
            except urllib.error.HTTPError as err:
                return err.code, err.headers.get("Location", "").encode(), err.headers.get_content_type()
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read(), response.headers.get_content_type()
        except urllib.error.HTTPError as err:
            return err.code, err.read(), err.headers.get_content_type()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
