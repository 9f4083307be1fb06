"""Serial rating keypads (4 or 5 buttons) at the counters: the byte protocol and its reader.

The protocol (README "Satisfaction ratings"), plain ASCII so any keypad firmware or a serial-over-TCP box
can speak it, one line per button press:

    press of button n (1 = leftmost = best, up to 5):  'R' n CR     e.g. 52 33 0D for button 3
    CR, LF or CRLF ends a line; anything else on a line (noise, a wrong baud rate, another device) is
    refused and reported, never guessed at.

A keypad says nothing while idle; an unplugged keypad is noticed by the serial port itself (a USB CDC-ACM
hang-up, a closed TCP connection). Reading, framing and reconnecting are the barcode scanners' own
(hardware/scanner.py ScannerReader: exclusive open, reconnect after 1 s doubling to 5 s, status changes),
because a keypad is the same kind of device: short CR-terminated lines on a serial port.
"""

from __future__ import annotations

import re
from typing import Callable

from .scanner import ScannerConfig, ScannerReader

PRESS = re.compile(r"R([1-9])")
MAX_LINE = 16  # a press is 2 bytes; a longer line is noise and is thrown away whole


def press_frame(button: int) -> bytes:
    """The bytes a keypad sends when `button` is pressed (for fakes and tests)."""
    return f"R{button}\r".encode("ascii")


def parse_press(text: str) -> int | None:
    """The button of one received line ("R3" → 3), or None for anything that is not a press."""
    match = PRESS.fullmatch(text.strip())
    return int(match.group(1)) if match else None


def keypad_reader(url: str, baudrate: int, on_press: Callable[[int | None, str], None],
                  on_status: Callable[[str, str], None]) -> ScannerReader:
    """A reader for one keypad: `on_press(button, text)` for every line (button None when it is not a
    press), `on_status(kind, detail)` as ScannerReader reports it (connected, disconnected, stopped, rejected)."""
    config = ScannerConfig(url=url, baudrate=baudrate, suffix="\r", max_length=MAX_LINE)
    return ScannerReader(config, lambda text: on_press(parse_press(text), text), on_status)
