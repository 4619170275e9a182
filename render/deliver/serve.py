"""``render serve``: the output folder on a loopback web server, for the review pages.

The standard library's server is enough, with one addition: HTTP range
requests. Browsers fetch audio in byte ranges and seek only when the server
answers ``206 Partial Content``; ``SimpleHTTPRequestHandler`` always sends the
whole file, so a player on a served page could not jump to a turn.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from render.errors import RenderError

LOOPBACK = "127.0.0.1"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class RangeHandler(SimpleHTTPRequestHandler):
    """Static files with single byte ranges (``Range: bytes=a-b``), quietly logged."""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-cache")  # a re-render replaces files in place
        super().end_headers()

    def send_head(self):
        match = _RANGE.match(self.headers.get("Range", "").strip())
        path = Path(self.translate_path(self.path))
        if match is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:  # the last N bytes
            start, end = max(0, size - int(last)), size - 1
        else:
            return super().send_head()
        if start >= size or start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        f = path.open("rb")
        f.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return f

    def copyfile(self, source, outputfile) -> None:
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            shutil.copyfileobj(source, outputfile)
            return
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)
        self._remaining = None


def make_server(folder: Path, port: int = 0, host: str = LOOPBACK) -> ThreadingHTTPServer:
    """A server for ``folder`` on ``host:port`` (port 0: any free port), not yet serving."""
    if host not in (LOOPBACK, "localhost", "::1"):
        raise RenderError(f"render serve listens on loopback only, not {host}",
                          hint="to publish, copy output/ to a web host (see the README, 'Publishing')")
    if not folder.is_dir():
        raise RenderError(f"nothing to serve: {folder} does not exist", hint="render an episode first: render episode EP")
    try:
        return ThreadingHTTPServer((host, port), partial(RangeHandler, directory=os.fspath(folder)))
    except OSError as exc:
        raise RenderError(f"cannot listen on {host}:{port}: {exc.strerror}",
                          hint="pick another port with --port, or --port 0 for any free one") from None


def serve_in_background(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="render-serve", daemon=True)
    thread.start()
    return thread
