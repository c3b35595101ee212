"""`newsgen serve`: preview the site while editing it.

watchdog reports file events → they are debounced (an editor's save often
writes twice) → the in-memory site is rebuilt incrementally (`live.LiveSite`)
→ open browsers are told over Server-Sent Events and reload the pages that
changed, swap a changed stylesheet, follow a renamed story, or show the
build's problems over the page. The server only ever serves a complete build:
the last good one while the site has problems.
"""
from __future__ import annotations

import errno
import json
import mimetypes
import queue
import sys
import threading
import time
import webbrowser
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from watchdog.events import (DirCreatedEvent, DirDeletedEvent, DirMovedEvent, FileClosedEvent, FileCreatedEvent,
                             FileDeletedEvent, FileModifiedEvent, FileMovedEvent, FileSystemEventHandler)
from watchdog.observers import Observer

from ..build import BuildOptions
from ..errors import format_problems
from .live import LiveSite, Rebuild

EVENTS = "/__newsgen/events"
SCRIPT = "/__newsgen/livereload.js"
#: Quiet time after the last file event before rebuilding.
DEBOUNCE_SECONDS = 0.03
#: Never wait longer than this for the events to stop.
DEBOUNCE_LIMIT = 0.3
IGNORED_PARTS = {".git", ".newsgen-cache", "__pycache__", "node_modules"}
#: What a preview watches: the settings, the content, the theme, and the site's own templates and static files.
WATCHED = ("site.toml", "content", "themes", "templates", "static")


class ServeError(Exception):
    """The server cannot start (the port is taken, say)."""


class Hub:
    """The open browsers, each with a queue of events to send."""

    def __init__(self) -> None:
        self._clients: set[queue.Queue] = set()
        self._lock = threading.Lock()

    def join(self) -> queue.Queue:
        client: queue.Queue = queue.Queue()
        with self._lock:
            self._clients.add(client)
        return client

    def leave(self, client: queue.Queue) -> None:
        with self._lock:
            self._clients.discard(client)

    def send(self, event: str, data) -> None:
        with self._lock:
            for client in self._clients:
                client.put((event, data))


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, live: LiveSite, hub: Hub):
        self.live, self.hub = live, hub
        self.script = (Path(__file__).parent / "livereload.js").read_bytes()
        super().__init__(address, PreviewHandler)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # one line per rebuild is enough
        pass

    def do_HEAD(self) -> None:
        self.do_GET(head=True)

    def do_GET(self, head: bool = False) -> None:
        live = self.server.live
        path = urlsplit(self.path).path
        if path == EVENTS:
            return self._events()
        if path == SCRIPT:
            return self._send(HTTPStatus.OK, self.server.script, "text/javascript; charset=utf-8", head)
        base = live.base_path
        if not path.startswith(base):
            if path in ("", "/"):
                return self._redirect(base)
            return self._not_found(head)
        relative = unquote(path[len(base):])
        # Only names the build produced are served: no "..", no absolute paths, nothing else.
        if "\x00" in relative or "\\" in relative or relative.startswith("/") or \
                any(part in (".", "..") for part in relative.split("/")):
            return self._not_found(head)
        output_path = relative + "index.html" if relative == "" or relative.endswith("/") else relative
        body = live.page(output_path)
        if body is None and live.page(output_path + "/index.html") is not None:
            return self._redirect(path + "/")
        if body is None:
            body = self._file(relative)
        if body is None:
            return self._not_found(head)
        self._send(HTTPStatus.OK, body, _content_type(output_path), head)

    def _file(self, relative: str) -> bytes | None:
        live = self.server.live
        source = live.media.get(relative)
        if source is None and relative.startswith("static/"):
            source = live.static_file(relative[len("static/"):])
        try:
            return source.read_bytes() if source is not None else None
        except OSError:
            return None

    def _not_found(self, head: bool) -> None:
        live = self.server.live
        body = live.page("404.html")
        if body is None:  # no good build yet: a page that shows the problems and waits
            body = b"<!DOCTYPE html><html lang=en><title>newsgen</title><body><p>No build yet.</p></body></html>"
        self._send(HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", head)

    def _send(self, status: HTTPStatus, body: bytes, content_type: str, head: bool) -> None:
        if content_type.startswith("text/html"):
            tag = f'<script src="{SCRIPT}"></script>'.encode()
            at = body.rfind(b"</body>")
            body = body[:at] + tag + body[at:] if at >= 0 else body + tag
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self) -> None:
        hub, live = self.server.hub, self.server.live
        client = hub.join()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            if live.problems:
                client.put(("problems", [str(p) for p in live.problems]))
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while True:
                try:
                    event, data = client.get(timeout=10)
                    message = f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"
                except queue.Empty:
                    message = ": keep-alive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            hub.leave(client)
            self.close_connection = True


def _content_type(path: str) -> str:
    if path.endswith(".html"):
        return "text/html; charset=utf-8"
    if path.endswith(".xml"):
        return "application/xml; charset=utf-8"
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return guessed + ("; charset=utf-8" if guessed.startswith("text/") else "")


#: Changes only. Left unfiltered, inotify also reports every file and folder opened — each rebuild
#: reads thousands — and on a large site its queue overflows, again and again.
WATCHED_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                  DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


class Watcher(FileSystemEventHandler):
    """Collects changed paths (relative to the site) for the rebuild loop."""

    def __init__(self, root: Path, changes: queue.Queue):
        self.root, self.changes = root, changes

    def on_any_event(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        for raw in (event.src_path, getattr(event, "dest_path", "")):
            if not raw:
                continue
            try:
                relative = Path(raw).relative_to(self.root).as_posix()
            except ValueError:
                continue
            parts = relative.split("/")
            if parts[0] not in WATCHED or IGNORED_PARTS & set(parts):
                continue
            name = parts[-1]
            if name.startswith(".") or name.endswith(("~", ".swp", ".swx", ".tmp")) or name == "4913":
                continue  # editors' temporary files
            if event.is_directory and event.event_type == "modified":
                continue
            self.changes.put(relative)


def rebuild_loop(live: LiveSite, hub: Hub, changes: queue.Queue, stop: threading.Event, report) -> None:
    while not stop.is_set():
        try:
            first = changes.get(timeout=0.2)
        except queue.Empty:
            continue
        paths, started = {first}, time.monotonic()
        while time.monotonic() - started < DEBOUNCE_LIMIT:
            try:
                paths.add(changes.get(timeout=DEBOUNCE_SECONDS))
            except queue.Empty:
                break
        had_problems = bool(live.problems)
        result = live.update(paths)
        report(result, sorted(paths))
        if not result.ok:
            hub.send("problems", [str(p) for p in result.problems])
            continue
        if had_problems:
            hub.send("fixed", {})
        if result.stylesheet_only:
            hub.send("stylesheet", {})
        elif result.changed or result.everything or result.renamed:
            hub.send("reload", {"changed": list(result.changed), "renamed": result.renamed,
                                "everything": result.everything})


def terminal_report(result: Rebuild, paths: list[str]) -> None:
    cause = paths[0] + (f" and {len(paths) - 1} more" if len(paths) > 1 else "")
    milliseconds = round(result.seconds * 1000)
    if result.ok:
        if result.stylesheet_only:
            print(f"stylesheet changed ({cause})", flush=True)
        else:
            noun = "page" if result.rendered == 1 else "pages"
            print(f"rebuilt {result.rendered} {noun} in {milliseconds} ms ({cause})", flush=True)
            if result.problems:
                print(format_problems(list(result.problems)), file=sys.stderr, flush=True)
    else:
        print(format_problems(list(result.problems)), file=sys.stderr)
        print(f"{len(result.problems)} problem(s) ({cause}); still serving the last good build", file=sys.stderr,
              flush=True)


def serve(options: BuildOptions, host: str, port: int, open_browser: bool = False) -> int:
    live = LiveSite(options)
    if not live.root.is_dir():
        raise ServeError(f"there is no folder {live.root}: run newsgen in the site folder or pass --site DIR")
    changes: queue.Queue = queue.Queue()
    # Watch before the first build reads anything: an edit saved while it runs is rebuilt right
    # after. Setting up the watches walks every story folder (a fifth of a second at 5,000
    # stories): done in a thread, beside the first build.
    observer = Observer()
    watcher = Watcher(live.root, changes)
    observer.schedule(watcher, str(live.root), recursive=False, event_filter=WATCHED_EVENTS)  # site.toml, content/
    for folder in WATCHED[1:]:
        if (live.root / folder).is_dir():
            observer.schedule(watcher, str(live.root / folder), recursive=True, event_filter=WATCHED_EVENTS)
    watch_failed: list[OSError] = []

    def start_watching() -> None:
        try:
            observer.start()
        except OSError as err:
            watch_failed.append(err)

    watching = threading.Thread(target=start_watching, daemon=True)
    watching.start()
    first = live.full()
    if first.ok:
        print(f"ready in {first.seconds:.2f} s: {len(live.paths)} pages, each rendered when first asked for",
              flush=True)
        if first.problems:
            print(format_problems(list(first.problems)), file=sys.stderr, flush=True)
    else:
        terminal_report(first, ["the first build"])
    hub = Hub()
    stop = threading.Event()
    watching.join()  # once the port answers, an edit saved that instant must not be missed
    if watch_failed:
        observer.stop()
        err = watch_failed[0]
        hint = (": the system's limit of watched folders was reached (raise it: "
                "`sudo sysctl fs.inotify.max_user_watches=524288`)" if err.errno == errno.ENOSPC else "")
        raise ServeError(f"cannot watch the site's files for changes: {err.strerror or err}{hint}")
    try:
        server = PreviewServer((host, port), live, hub)
    except OSError as err:
        observer.stop()
        observer.join(timeout=2)
        if err.errno == errno.EADDRINUSE:
            raise ServeError(f"port {port} on {host} is already in use: try another one, "
                             f"e.g. `newsgen serve --port {port + 1}`") from None
        raise ServeError(f"cannot listen on {host}:{port}: {err.strerror}") from None
    worker = threading.Thread(target=rebuild_loop, args=(live, hub, changes, stop, terminal_report), daemon=True)
    worker.start()
    url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}{live.base_path}"
    print(f"serving {live.root} at {url} (Ctrl-C to stop)", flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
    finally:
        stop.set()
        observer.stop()
        server.server_close()
        observer.join(timeout=2)
    return 0
