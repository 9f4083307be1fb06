"""A group of serial readers, one per configured device (barcode scanners, rating keypads).

Each reader (hardware/scanner.py's ScannerReader) runs on its own thread and reconnects by itself; the
group starts and stops them, remembers each one's last state for the screens (`statuses`) and says which
state changes are news for a counter: the first state after start and shutdown are not, a reconnect or a
disconnect is. Subclasses (counter/scanning.py, rate/keypads.py) decide what a reading and the news do.
Running groups are stopped on a normal exit, so the serial ports close.
"""

from __future__ import annotations

import atexit
import logging
import weakref

log = logging.getLogger(__name__)
_RUNNING: "weakref.WeakSet[ReaderGroup]" = weakref.WeakSet()


@atexit.register
def _stop_running_groups() -> None:
    """Close the serial ports on a normal exit (a weak set: a group nobody uses may be collected)."""
    for group in list(_RUNNING):
        group.stop(timeout=1.0)


class ReaderGroup:
    """Readers by counter; `entries` is filled by the subclass as (counter id, reader) pairs."""

    def __init__(self) -> None:
        self.entries: list = []
        self._status: dict[int, str] = {}

    def start(self) -> None:
        """Start every reader (each reconnects by itself until stop())."""
        for _, reader in self.entries:
            reader.start()
        _RUNNING.add(self)

    def stop(self, timeout: float = 2.0) -> None:
        """Stop every reader and close its port."""
        for _, reader in self.entries:
            try:
                reader.stop(timeout)
            except Exception:  # one stuck reader must not keep the others open
                log.exception("stopping reader %s failed", reader.config.url)

    def statuses(self, counter_id: str) -> list[str]:
        """The state of each reader of a counter: connected, disconnected, stopped, or starting."""
        return [self._status.get(index, "starting")
                for index, (counter, _) in enumerate(self.entries) if counter == counter_id]

    def is_news(self, index: int, kind: str) -> bool:
        """Remember reader `index`'s new state; True when the counter should hear of it."""
        previous, self._status[index] = self._status.get(index), kind
        return not (kind == "stopped" or previous in (None, "stopped") or previous == kind)
