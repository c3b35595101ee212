"""Running `newsgen serve` as a user does, in its own process."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from hosting import free_port


class Serving:
    def __init__(self, root: Path, *args: str, port: int | None = None):
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}/news/"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "generator", "serve", "--site", str(root), "--port", str(self.port), *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("serve exited: " + self.process.stderr.read())
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("serve did not start")

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path.lstrip("/"), timeout=10) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode("utf-8", "replace")

    def raw(self, request_path: str) -> str:
        """The status line for a request path sent exactly as given (no client-side normalising)."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as conn:
            conn.sendall(f"GET {request_path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
            return conn.makefile("rb").readline().decode().strip()

    def wait_for(self, path: str, text: str, timeout: float = 15) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if text in self.get(path)[1]:
                return time.monotonic() - started
            time.sleep(0.01)
        raise AssertionError(f"{text!r} never appeared at {path}")

    def stop(self) -> tuple[int, str, str]:
        self.process.send_signal(2)  # Ctrl-C
        try:
            out, err = self.process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
        return self.process.returncode, out, err
