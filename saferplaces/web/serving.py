"""The gunicorn worker `saferplaces serve` runs: a request reaches a thread
only once it has arrived whole.

Two sync workers each read one request at a time, so four connections
sending a header line every 5 s held both and the service answered no one.
``BufferingWorker`` is gunicorn's threaded worker with one change: a
connection's bytes are gathered by the worker's event loop, without a
thread, until the request's headers and (a small) body are in; only then
is it handed to a thread, which parses it from memory. A slow client costs
a buffer, not a thread, and one that has not sent its request within
``REQUEST_SECONDS`` is closed (nginx's client_header_timeout does the same).
A body larger than ``BODY_BUFFERED`` (evidence uploads) is read by the
thread, as before; in production a buffering proxy in front takes that
too (docs/operations.md).
"""

from __future__ import annotations

import re
import selectors
import socket
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from gunicorn import http
from gunicorn.workers.gthread import TConn, ThreadWorker

REQUEST_SECONDS = 30.0
BODY_BUFFERED = 1024 * 1024
# Past this, the headers are not going to end: the parser refuses them.
HEADERS_BUFFERED = 64 * 1024
_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)


def request_complete(data: bytes) -> bool:
    """Whether ``data`` holds a whole request (or all this worker waits
    for: the headers of one with a large, chunked or refused body)."""
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return len(data) > HEADERS_BUFFERED
    length = _LENGTH.search(data[: end + 2])
    if length is None or int(length.group(1)) > BODY_BUFFERED:
        return True  # no body, or one the thread reads (or refuses unread)
    return len(data) >= end + 4 + int(length.group(1))


class BufferingWorker(ThreadWorker):  # type: ignore[misc]
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Connections still arriving, with the time each must be in by.
        self.arriving: dict[TConn, tuple[bytearray, float]] = {}

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except BlockingIOError:
            return
        except ConnectionAbortedError:
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())
        self._gather(conn)

    def on_client_socket_readable(self, conn: TConn, client: socket.socket) -> None:
        """A kept-alive connection's next request: gathered like a new one."""
        self.poller.unregister(client)
        self.keepalived_conns.remove(conn)
        self._gather(conn)

    def _gather(self, conn: TConn) -> None:
        conn.sock.setblocking(False)
        self.arriving[conn] = (bytearray(), time.monotonic() + REQUEST_SECONDS)
        reader: Callable[[Any], None] = partial(self._readable, conn)
        self.poller.register(conn.sock, selectors.EVENT_READ, reader)

    def _readable(self, conn: TConn, _: Any) -> None:
        data, _deadline = self.arriving[conn]
        try:
            chunk = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._drop(conn)
            return
        data += chunk
        if request_complete(bytes(data)):
            self.poller.unregister(conn.sock)
            del self.arriving[conn]
            self._hand_over(conn, bytes(data))

    def _hand_over(self, conn: TConn, data: bytes) -> None:
        """To a thread, with the bytes read so far put back for its parser."""
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
        conn.parser.unreader.unread(data)
        conn.data_ready = True
        self.enqueue_req(conn)

    def _drop(self, conn: TConn) -> None:
        self.poller.unregister(conn.sock)
        del self.arriving[conn]
        self.nr_conns -= 1
        conn.close()

    def murder_pending(self) -> None:
        """Also close connections whose request is overdue, and, once the
        worker is stopping, every request not yet in."""
        super().murder_pending()
        now = time.monotonic()
        for conn, (_data, deadline) in list(self.arriving.items()):
            if deadline < now or not self.alive:
                self._drop(conn)
