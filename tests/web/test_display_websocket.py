"""Screens' WebSockets are not compressed: a browser's permessage-deflate offer is declined (realtime.py).

Compressing each push once per connection cost 415 MB instead of 200 MB of server memory at 2,000
clients (python -m bench fanout); the offer is dropped before the WebSocket handshake.
"""

from __future__ import annotations

import base64
import os
import socket


def handshake(url: str, extensions: str | None) -> str:
    """The server's answer to a WebSocket upgrade of the Socket.IO endpoint, as a browser sends it."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        request = (f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
                   "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}\r\n"
                   + (f"Sec-WebSocket-Extensions: {extensions}\r\n" if extensions else "")
                   + "Sec-WebSocket-Version: 13\r\n\r\n")
        connection.sendall(request.encode())
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = connection.recv(4096)
            if not chunk:
                break
            answer += chunk
        return answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")


def test_the_browsers_compression_offer_is_declined(live_server):
    answer = handshake(live_server.url, "permessage-deflate; client_max_window_bits")
    assert answer.startswith("HTTP/1.1 101"), answer
    assert "sec-websocket-extensions" not in answer.lower(), answer
