"""A lean asyncio Socket.IO client for the fan-out benchmark: hundreds per process, stamped on arrival.

It speaks the same wire protocol as the browsers' socket.io client over a real WebSocket (RFC 6455):
Engine.IO 4 open packet, Socket.IO 5 CONNECT with `auth`, answers the server's pings, and reads
`42["event", …]` / `42["ticket", …]` frames; like a browser it offers permessage-deflate (RFC 7692),
so the server compresses each push for each connection as it does for real screens. python-socketio's own clients cost a thread or an aiohttp
session each; two thousand of them on this 2-core box would measure the clients, not the server.
The arrival time is taken (time.time()) as soon as a frame is read, before any JSON is parsed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import time
import zlib


class ProtocolError(Exception):
    pass


class LeanClient:
    """One Socket.IO connection; calls `on_called(ticket_id, arrived_at)` when a call reaches it."""

    def __init__(self, host: str, port: int, auth: dict, on_called, deflate: bool = True):
        self.host, self.port, self.auth, self.on_called = host, port, auth, on_called
        self.deflate = deflate
        self.inflater = None   # set when the server accepts permessage-deflate, as it does for browsers
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.connected = asyncio.Event()
        self.snapshot = asyncio.Event()

    async def connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port, limit=2**22)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                           f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                           + ("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
                              if self.deflate else "")
                           + "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ProtocolError(head.split(b"\r\n", 1)[0].decode(errors="replace"))
        if b"permessage-deflate" in head.lower():
            # Browsers offer it and simple-websocket accepts: the server then compresses every push per
            # connection, a real cost of fan-out that the benchmark must include.
            self.inflater = zlib.decompressobj(-zlib.MAX_WBITS)

    async def run(self) -> None:
        """Read frames until the connection closes; answer pings; report calls."""
        while True:
            opcode, payload, compressed = await self._frame()
            arrived = time.time()
            if compressed:
                payload = self.inflater.decompress(payload + b"\x00\x00\xff\xff")
            if opcode == 8:
                return
            if opcode == 9:
                self._send(payload, opcode=10)
                continue
            if opcode != 1:
                continue
            if payload[:1] == b"0":            # Engine.IO open: now the Socket.IO CONNECT with our auth
                self._send(b"40" + json.dumps(self.auth).encode())
            elif payload == b"2":              # Engine.IO ping → pong
                self._send(b"3")
            elif payload[:2] == b"40":
                self.connected.set()
            elif payload[:2] == b"44":
                raise ProtocolError(f"connection refused: {payload[:200]!r}")
            elif payload[:2] == b"42":
                self._message(payload, arrived)

    def _message(self, payload: bytes, arrived: float) -> None:
        name, data = json.loads(payload[2:])[:2]
        if name == "snapshot" or name == "ticket" and not self.snapshot.is_set():
            self.snapshot.set()
        if name == "event" and data.get("kind") == "called":
            self.on_called(data["ticket_id"], arrived)
        elif name == "ticket" and data.get("status") == "called":
            self.on_called(data["id"], arrived)

    async def _frame(self) -> tuple[int, bytes, bool]:
        message, first_opcode, compressed = b"", None, False
        while True:
            head = await self.reader.readexactly(2)
            final, opcode, length = head[0] & 0x80, head[0] & 0x0F, head[1] & 0x7F
            if length == 126:
                length = struct.unpack("!H", await self.reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await self.reader.readexactly(8))[0]
            if head[1] & 0x80:
                raise ProtocolError("the server masked a frame")
            payload = await self.reader.readexactly(length)
            if opcode >= 8:                    # control frames may come between fragments
                return opcode, payload, False
            if first_opcode is None:
                first_opcode, compressed = opcode, bool(head[0] & 0x40)   # RSV1: a compressed message
            message += payload
            if final:
                return first_opcode, message, compressed

    def _send(self, payload: bytes, opcode: int = 1) -> None:
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
        elif length < 2**16:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.writer.write(head + mask + masked)

    def close(self) -> None:
        if self.writer:
            self.writer.close()


async def follow(host: str, port: int, auths: list[dict], ready, stop, results, deflate: bool = True) -> None:
    """Connect every client (50 handshakes at a time), report how many are ready, collect until `stop`."""
    arrivals: list[tuple[int, float, str]] = []
    clients = []
    gate = asyncio.Semaphore(50)

    async def start(auth: dict) -> None:
        kind = next(iter(auth), "centre")
        client = LeanClient(host, port, auth, lambda ticket, at: arrivals.append((ticket, at, kind)), deflate)
        async with gate:
            await client.connect()
            task = asyncio.ensure_future(client.run())
            await asyncio.wait_for(client.snapshot.wait(), 60)
        clients.append((client, task))

    outcomes = await asyncio.gather(*(start(auth) for auth in auths), return_exceptions=True)
    failures = [repr(o) for o in outcomes if isinstance(o, BaseException)]
    ready.put((len(clients), failures[:3]))
    while not stop.is_set():
        await asyncio.sleep(0.1)
    dropped = sum(1 for _, task in clients if task.done())
    compressed = sum(1 for client, _ in clients if client.inflater is not None)
    for client, task in clients:
        client.close()
        task.cancel()
    results.put((arrivals, dropped, compressed))


def client_process(host: str, port: int, auths: list[dict], ready, stop, results, deflate: bool = True) -> None:
    """Entry point of one client process."""
    asyncio.run(follow(host, port, auths, ready, stop, results, deflate))
