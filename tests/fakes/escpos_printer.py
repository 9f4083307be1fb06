"""A LAN receipt printer on 127.0.0.1 that speaks real ESC/POS, plus a decoder for what it got.

:class:`FakeNetworkPrinter` stands where an Epson TM-T20II on port 9100 would: it accepts TCP
connections, keeps every byte, and answers DLE EOT 1/2/4 real-time status queries with the bytes
a real printer sends for the chosen state. :func:`decode_raster` turns the GS v 0 blocks it
received back into images, so a test can compare paper with the rendered ticket.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from PIL import Image

# DLE EOT replies per state: (n=1 printer, n=2 offline cause, n=4 paper sensor). Bits per the
# Epson ESC/POS reference: 0x12 is the fixed "all clear" pattern, 0x08 in n=1 is offline,
# 0x04 in n=2 cover open, 0x20 in n=2 stopped by paper end, 0x40 in n=2 error,
# 0x0C in n=4 near end, 0x60 in n=4 paper end (a real empty roll sets both pairs: 0x7E).
STATUS_REPLIES: dict[str, dict[int, int]] = {
    "ok": {1: 0x12, 2: 0x12, 4: 0x12},
    "paper_near_end": {1: 0x12, 2: 0x12, 4: 0x1E},
    "paper_out": {1: 0x1A, 2: 0x32, 4: 0x7E},
    "cover_open": {1: 0x1A, 2: 0x16, 4: 0x12},
    "offline": {1: 0x1A, 2: 0x52, 4: 0x12},
}
STATES = (*STATUS_REPLIES, "silent", "refuse")

_INVERT = bytes(255 - value for value in range(256))


@dataclass(frozen=True)
class Command:
    """One parsed ESC/POS command: a short name and the full bytes it occupied."""

    name: str
    data: bytes


def _fixed(name: str, size: int):
    return lambda data, start: (name, size)


def _raster_size(data: bytes, start: int) -> tuple[str, int]:
    # GS v 0 m xL xH yL yH d1...dk, k = (xL + xH*256) * (yL + yH*256)
    if len(data) < start + 8:
        return "incomplete", 0
    width_bytes = data[start + 4] + data[start + 5] * 256
    height = data[start + 6] + data[start + 7] * 256
    return "raster", 8 + width_bytes * height


def _cut_size(data: bytes, start: int) -> tuple[str, int]:
    # GS V m (m = 0, 1, 48, 49) or GS V m n (m = 65, 66, 97, 98, 103, 104: feed then cut)
    if len(data) < start + 3:
        return "incomplete", 0
    return "cut", 4 if data[start + 2] >= 65 else 3


def _graphics_size(data: bytes, start: int) -> tuple[str, int]:
    # GS ( L pL pH ...: python-escpos's "graphics" image mode
    if len(data) < start + 5:
        return "incomplete", 0
    return "graphics", 5 + data[start + 3] + data[start + 4] * 256


_COMMANDS = {
    b"\x1d\x76\x30": _raster_size,
    b"\x1d\x56": _cut_size,
    b"\x1d\x28\x4c": _graphics_size,
    b"\x10\x04": _fixed("status_query", 3),
    b"\x1b\x40": _fixed("initialize", 2),
    b"\x1b\x64": _fixed("feed_lines", 3),
    b"\x1b\x4a": _fixed("feed_dots", 3),
    b"\x1b\x61": _fixed("align", 3),
    b"\x0a": _fixed("line_feed", 1),
}


def parse_commands(data: bytes, final: bool = True) -> tuple[list[Command], int]:
    """Split an ESC/POS stream into commands, skipping image data as a printer does.

    Returns the commands and how many bytes were consumed; with ``final=False`` an incomplete
    command at the end is left for the next call (streaming). Unknown bytes become "byte"
    commands. Walking command by command matters: raster data may contain 10 04 01 by chance,
    and that is ink, not a status query.
    """
    commands: list[Command] = []
    position = 0
    while position < len(data):
        name, size = "byte", 1
        for prefix, measure in _COMMANDS.items():
            if data.startswith(prefix, position):
                name, size = measure(data, position)
                break
        if name == "incomplete" or position + size > len(data):
            if not final:
                break
            name, size = "truncated", len(data) - position
        commands.append(Command(name, bytes(data[position:position + size])))
        position += size
    return commands, position


def decode_raster(data: bytes) -> list[Image.Image]:
    """Decode every GS v 0 block in ``data`` into a mode "1" image (black ink on white)."""
    images = []
    for command in parse_commands(data)[0]:
        if command.name != "raster":
            continue
        header, pixels = command.data[:8], command.data[8:]
        width_bytes = header[4] + header[5] * 256
        height = header[6] + header[7] * 256
        # ESC/POS: bit 1 = dot printed; PIL mode "1": bit 1 = white. Hence the inversion.
        images.append(Image.frombytes("1", (width_bytes * 8, height), pixels.translate(_INVERT)))
    return images


def stack_images(images: list[Image.Image]) -> Image.Image:
    """Join raster blocks top to bottom, as they come out of the printer."""
    width = max(image.width for image in images)
    sheet = Image.new("1", (width, sum(image.height for image in images)), 1)
    top = 0
    for image in images:
        sheet.paste(image, (0, top))
        top += image.height
    return sheet


def find_cuts(data: bytes) -> list[Command]:
    """Every GS V (paper cut) command in ``data``."""
    return [command for command in parse_commands(data)[0] if command.name == "cut"]


class FakeNetworkPrinter:
    """A threaded TCP printer on a free port of 127.0.0.1. Use as a context manager.

    ``state`` is one of :data:`STATES`. "silent" accepts and keeps bytes but never answers a
    status query; "refuse" stops listening so connecting fails with "connection refused".
    ``connections`` holds the bytes of each finished connection; ``tickets`` the subset that
    carried printing (raster or cut), in order. ``greeting`` is sent on every new connection,
    like the automatic status-back (ASB) block some printers push unasked.
    """

    def __init__(self, state: str = "ok", greeting: bytes = b"") -> None:
        self._condition = threading.Condition()
        self._state = state
        self.greeting = greeting
        self.connections: list[bytes] = []
        self.tickets: list[bytes] = []
        self._tickets_taken = 0
        self._clients: set[socket.socket] = set()
        self._threads: list[threading.Thread] = []
        self._listener: socket.socket | None = None
        self.port = 0
        if state != "refuse":
            self._listen()

    @property
    def url(self) -> str:
        """The tcp:// URL to give :func:`hardware.printer.open_printer`."""
        return f"tcp://127.0.0.1:{self.port}"

    @property
    def state(self) -> str:
        """The behaviour the printer shows now."""
        return self._state

    def set_state(self, state: str) -> None:
        """Change behaviour; entering or leaving "refuse" closes or reopens the listener."""
        if state not in STATES:
            raise ValueError(f"unknown printer state {state!r}; choose one of {STATES}")
        with self._condition:
            self._state = state
        if state == "refuse":
            self._close_listener()
        elif self._listener is None:
            self._listen()

    def wait_for_ticket(self, timeout: float = 5.0) -> bytes:
        """Return the bytes of the next printed ticket, waiting up to ``timeout`` seconds."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self.tickets) > self._tickets_taken, timeout):
                raise TimeoutError(f"no ticket printed within {timeout} s")
            self._tickets_taken += 1
            return self.tickets[self._tickets_taken - 1]

    def wait_for_connections(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Wait until ``count`` connections have finished; return all of them."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self.connections) >= count, timeout):
                raise TimeoutError(f"{len(self.connections)} of {count} connections within {timeout} s")
            return list(self.connections)

    def close(self) -> None:
        """Stop listening, drop open connections and wait for every thread."""
        self._close_listener()
        with self._condition:
            clients = list(self._clients)
        for client in clients:
            _shutdown(client)
        for thread in self._threads:
            thread.join(timeout=5)

    def __enter__(self) -> "FakeNetworkPrinter":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Reuse the same port after "refuse", as a printer that was switched off and on does.
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(8)
        self.port = listener.getsockname()[1]
        self._listener = listener
        self._start(self._accept_loop, listener)

    def _close_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            _shutdown(listener)  # on Linux this wakes the thread blocked in accept()
            listener.close()

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._condition:
                self._clients.add(client)
            self._start(self._serve, client)

    def _serve(self, client: socket.socket) -> None:
        received = bytearray()
        parsed = 0
        try:
            if self.greeting:
                client.sendall(self.greeting)
            while chunk := client.recv(65536):
                received += chunk
                commands, consumed = parse_commands(received[parsed:], final=False)
                parsed += consumed
                for command in commands:
                    if command.name == "status_query":
                        self._answer(client, command.data[2])
        except OSError:
            pass
        finally:
            _shutdown(client)
            client.close()
            self._record(bytes(received), client)

    def _answer(self, client: socket.socket, query: int) -> None:
        with self._condition:
            replies = STATUS_REPLIES.get(self._state)
        if replies is not None and query in replies:
            client.sendall(bytes([replies[query]]))

    def _record(self, data: bytes, client: socket.socket) -> None:
        printed = any(command.name in ("raster", "cut") for command in parse_commands(data)[0])
        with self._condition:
            self._clients.discard(client)
            self.connections.append(data)
            if printed:
                self.tickets.append(data)
            self._condition.notify_all()


def _shutdown(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
