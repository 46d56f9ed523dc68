"""A loopback HTTP server that misbehaves as a hostile or broken FHIR server would: it drips its
answer a byte at a time, or answers page after page of empty objects. Bounded: every connection ends
after DRIP_LIMIT_S, and the server stops when its `with` block ends."""

from __future__ import annotations

import socket
import socketserver
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Callable

DRIP_LIMIT_S = 10.0
DRIP_INTERVAL_S = 0.05


def drip(head: bytes, body: bytes) -> Callable[[socket.socket, bytes], None]:
    """Send `head` at once, then `body` one byte per DRIP_INTERVAL_S."""

    def answer(sock: socket.socket, _request: bytes) -> None:
        sock.sendall(head)
        ends = time.monotonic() + DRIP_LIMIT_S
        for byte in body:
            if time.monotonic() > ends:
                return
            sock.sendall(bytes([byte]))
            time.sleep(DRIP_INTERVAL_S)

    return answer


DRIPPING_HEAD = drip(b"", b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nX-Padding: " + b"a" * 1000)
DRIPPING_BODY = drip(b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: 1000\r\n\r\n",
                     b'{"resourceType": "Bundle", "type": "searchset", "entry": [' + b" " * 1000)


def pages_of_empty_objects(page_bytes: int, served: list[str]) -> Callable[[socket.socket, bytes], None]:
    """Each answer: a searchset Bundle of `{}` entries about `page_bytes` long, with a next link."""

    def answer(sock: socket.socket, request: bytes) -> None:
        path = request.split(b" ", 2)[1].decode()
        served.append(path)
        host = request.split(b"Host: ", 1)[1].split(b"\r\n", 1)[0].decode()
        following = f"http://{host}/fhir/Observation?page={len(served) + 1}"
        entries = b",".join([b"{}"] * (page_bytes // 3))
        body = (b'{"resourceType": "Bundle", "type": "searchset", "link": [{"relation": "next", "url": "'
                + following.encode() + b'"}], "entry": [' + entries + b"]}")
        sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nContent-Length: "
                     + str(len(body)).encode() + b"\r\n\r\n" + body)

    return answer


@contextmanager
def hostile_server(answer: Callable[[socket.socket, bytes], None]) -> Iterator[str]:
    """The server's FHIR base URL (http://127.0.0.1:<port>/fhir) while the block runs."""

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            self.request.settimeout(DRIP_LIMIT_S)
            request = b""
            try:
                while b"\r\n\r\n" not in request:
                    chunk = self.request.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                while request:
                    answer(self.request, request)
                    request = self.request.recv(65536)  # keep-alive: the next page on this connection
            except OSError:
                return  # the client gave up: what is being tested

    class Server(socketserver.ThreadingTCPServer):
        request_queue_size = 64  # the default 5 drops the connections of a request's concurrent fetches
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
