"""Render tickets in a separate process, so the CPU of a render never competes with the screens' loop.

A ticket render (text layout, QR, 1-bit raster, ESC/POS bytes, the fake printer's PNG) is 10–20 ms of
pure Python. On gevent's thread pool it no longer blocks the loop, but it still holds the one GIL the
loop needs: with 4 tickets a second printing, a call reached 200 lobby screens 16 ms later at p99 (bench
fanout). In a child process it runs on the other core and the server only moves bytes (README,
"Printing").

Protocol, one request at a time over two pipes: a frame is a 4-byte big-endian length and a pickle.
The request is `(TicketPrint, width_px, profile, want_png)`; the answer is `("ok", job, png)` with the
ESC/POS bytes and, when asked, the PNG of the ticket, or `("error", message)`. The child is started on
first use and again after it dies; it exits when its input closes (the server stopped or was killed).
If it cannot answer, the caller renders in its own process instead: a ticket always prints.
"""

from __future__ import annotations

import io
import logging
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

ANSWER_SECONDS = 10.0  # a render takes ~20 ms; a child that is silent this long is killed
_HEADER = struct.Struct(">I")
_ROOT = Path(__file__).resolve().parent.parent


class RenderUnavailable(Exception):
    """The render process could not render this ticket; render it in-process."""


@dataclass(frozen=True)
class RenderedTicket:
    """What the child made: the ESC/POS bytes of the ticket, and its PNG when asked."""
    job: bytes
    png: bytes | None


def render(ticket, width_px: int, profile: str, want_png: bool) -> RenderedTicket:
    """Render `ticket` in this process (the child's work, and the fallback when the child fails)."""
    from hardware.printer_base import build_job
    from hardware.ticket_image import render_ticket

    image = render_ticket(ticket, width_px)
    png = None
    if want_png:
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        png = buffer.getvalue()
    return RenderedTicket(build_job(image, profile), png)


class RenderProcess:
    """One child process rendering tickets for every printer of this server, one at a time."""

    def __init__(self) -> None:
        # Under gevent this lock is a greenlet lock: only print-worker greenlets use the child, and
        # they wait for it cooperatively (select on the pipe yields to the loop).
        self._lock = threading.Lock()
        self._child: subprocess.Popen | None = None
        self._to_child = self._from_child = -1

    def render(self, ticket, width_px: int, profile: str, want_png: bool) -> RenderedTicket:
        """The rendered ticket, from the child; RenderUnavailable when the child cannot make it."""
        request = pickle.dumps((ticket, width_px, profile, want_png), protocol=pickle.HIGHEST_PROTOCOL)
        with self._lock:
            for attempt in (1, 2):  # a child that died since the last ticket is restarted once
                try:
                    self._start_if_needed()
                    self._write(_HEADER.pack(len(request)) + request)
                    answer = pickle.loads(self._read_frame())
                    break
                except (OSError, EOFError, TimeoutError, pickle.UnpicklingError) as error:
                    self._stop_child()
                    if attempt == 2:
                        raise RenderUnavailable(f"render process: {error}") from error
        if answer[0] != "ok":
            raise RenderUnavailable(answer[1])
        return RenderedTicket(answer[1], answer[2])

    def close(self) -> None:
        """Stop the child (it would also stop by itself when this process ends)."""
        with self._lock:
            self._stop_child()

    def _start_if_needed(self) -> None:
        if self._child is not None and self._child.poll() is None:
            return
        self._stop_child()
        # Our own blocking pipes (not Popen's file objects, which gevent wraps): select() waits on
        # them cooperatively under gevent and plainly in a thread.
        child_in, self._to_child = os.pipe()
        self._from_child, child_out = os.pipe()
        try:
            self._child = subprocess.Popen([sys.executable, "-m", "hardware.render_process"],
                                           stdin=child_in, stdout=child_out, cwd=_ROOT, close_fds=True)
        finally:
            os.close(child_in)
            os.close(child_out)

    def _stop_child(self) -> None:
        for fd in (self._to_child, self._from_child):
            if fd >= 0:
                os.close(fd)
        self._to_child = self._from_child = -1
        child, self._child = self._child, None
        if child is not None and child.poll() is None:
            child.kill()
            try:
                child.wait(timeout=2)
            except subprocess.TimeoutExpired:  # pragma: no cover - a killed child is reaped at once
                logger.warning("render process %s did not exit", child.pid)

    def _write(self, data: bytes) -> None:
        view = memoryview(data)
        deadline = time.monotonic() + ANSWER_SECONDS
        while view:
            self._wait(self._to_child, deadline, write=True)
            view = view[os.write(self._to_child, view):]

    def _read_exactly(self, size: int, deadline: float) -> bytes:
        chunks, left = [], size
        while left:
            self._wait(self._from_child, deadline)
            chunk = os.read(self._from_child, min(left, 1 << 20))
            if not chunk:
                raise EOFError("the render process closed its output")
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    def _read_frame(self) -> bytes:
        deadline = time.monotonic() + ANSWER_SECONDS
        (size,) = _HEADER.unpack(self._read_exactly(_HEADER.size, deadline))
        return self._read_exactly(size, deadline)

    @staticmethod
    def _wait(fd: int, deadline: float, write: bool = False) -> None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the render process did not answer")
        ready = select.select([], [fd], [], left)[1] if write else select.select([fd], [], [], left)[0]
        if not ready:
            raise TimeoutError("the render process did not answer")


RENDERER = RenderProcess()  # one per server process, shared by every print worker


def _serve(requests, answers) -> None:
    """The child's loop: read a request frame, answer it, until the input closes."""
    while True:
        header = requests.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        ticket, width_px, profile, want_png = pickle.loads(requests.read(_HEADER.unpack(header)[0]))
        try:
            rendered = render(ticket, width_px, profile, want_png)
            answer = ("ok", rendered.job, rendered.png)
        except Exception as error:  # a bad ticket fails that ticket only; the caller reports it
            answer = ("error", f"{type(error).__name__}: {error}")
        frame = pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL)
        answers.write(_HEADER.pack(len(frame)) + frame)
        answers.flush()


if __name__ == "__main__":
    answers = sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing but frames may reach the parent's pipe
    _serve(sys.stdin.buffer, answers)
