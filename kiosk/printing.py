"""Printing kiosk tickets: one PrintWorker per kiosk printer, fed by the store's committed "issued" events.

Flow: POST /api/tickets commits the ticket and its "issued" event (details.kiosk names the kiosk);
the store calls `_on_commit` under its lock, which only enqueues; the dispatcher thread reads the
ticket's view (number, place, wait, status URL) and hands a TicketPrint to that kiosk's PrintWorker,
which renders and prints on its own thread. So the kiosk's HTTP response never waits for paper
(docs/design.md, decision 2), and api/routes.py knows nothing about printers.

Outcomes go into the event log like every other change, through engine.record_device_event:
"printed" / "print_failed" (ticket_id, details.kiosk, status, message) and "printer_status" when a
printer's state changes (paper near end, paper out, cover open, offline, unreachable, unknown), so
the kiosk page, the counters and the admins all learn it from the feed.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from datetime import datetime
from pathlib import Path

from core import events
from hardware.print_worker import PrintWorker
from hardware.printer import FakeTicketPrinter, PrinterStatus, open_printer
from hardware.ticket_image import TicketPrint

log = logging.getLogger(__name__)

NO_PRINTER = "none"
UNCONFIRMED = "Đã gửi phiếu tới máy in nhưng máy in không trả lời: không chắc phiếu đã in ra."
NO_PRINTER_MESSAGE = "Kiosk này không có máy in."


class _DemoPrinter(FakeTicketPrinter):
    """The `fake` printer as the server runs it: saves each ticket's PNG but keeps no job bytes in
    memory (FakeTicketPrinter keeps every job for tests; a demo may run for weeks)."""

    def print_rendered(self, job: bytes, png: bytes | None) -> None:
        try:
            super().print_rendered(job, png)
        finally:
            self.jobs.clear()
            self.saved_paths.clear()


def ticket_print(settings, ticket: dict) -> TicketPrint:
    """What goes on paper for a ticket view (core/views.py ticket_view); times in the centre's timezone."""
    issued = datetime.fromisoformat(ticket["issued_at"]).astimezone(settings.centre.timezone)
    group = settings.priority_groups.get(ticket["priority"] or "")
    return TicketPrint(centre_name=settings.centre.name, number=ticket["number"],
                       service_name=ticket["service_name"], people_ahead=ticket["position"] or 0,
                       eta_minutes=ticket["eta_minutes"], eta_low=ticket.get("eta_low"),
                       eta_high=ticket.get("eta_high"), issued_at=issued, status_url=ticket["status_url"],
                       priority_label=f"Ưu tiên: {group.name}" if group else None,
                       footer=settings.centre.footer)


def build_printer(kiosk, fake_dir: Path):
    """The kiosk's printer from its URL; ValueError (naming the kiosk's key) when the URL is wrong."""
    if kiosk.printer.strip() in ("fake", "fake://"):
        return _DemoPrinter(kiosk.printer_profile, fake_dir)
    try:
        return open_printer(kiosk.printer, kiosk.printer_profile, fake_dir)
    except ValueError as error:
        raise ValueError(f"kiosks.{kiosk.id}.printer: {error}") from None


class KioskPrinting:
    """The printers of every kiosk with one, their workers and the dispatcher that feeds them."""

    def __init__(self, settings, engine, fake_dir: Path):
        self.settings, self.engine, self.fake_dir = settings, engine, Path(fake_dir)
        self.workers: dict[str, PrintWorker] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._attempts = itertools.count(1)
        self._recorded: dict[str, PrinterStatus] = {}
        self.reprints: dict[int, int] = {}  # ticket id → reprints asked (kiosk/routes.py caps them)
        self._thread: threading.Thread | None = None

    def start(self) -> "KioskPrinting":
        """Check every printer URL, start one worker per printer (each asks its printer's status at
        once), then follow the store's commits."""
        for kiosk in self.settings.kiosks.values():
            if kiosk.printer.strip() == NO_PRINTER:
                continue
            build_printer(kiosk, self.fake_dir)  # a wrong URL stops the server now, not at the first ticket
            worker = PrintWorker(lambda kiosk=kiosk: build_printer(kiosk, self.fake_dir),
                                 on_result=lambda job, ok, status, message, kiosk_id=kiosk.id:
                                     self._on_result(kiosk_id, job, ok, status, message),
                                 on_status=lambda status, kiosk_id=kiosk.id: self._on_status(kiosk_id, status),
                                 status_interval=self.settings.kiosk.printer_status_seconds, name=kiosk.id)
            worker.poll_status()
            self.workers[kiosk.id] = worker
        if not self.workers:
            return self  # no kiosk prints: no thread, no listener (tests build hundreds of such apps)
        self.engine.store.subscribe(self._on_commit)
        self._thread = threading.Thread(target=self._dispatch_forever, name="kiosk-print-dispatch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Finish queued jobs and stop every worker (tests; the server simply exits)."""
        self._jobs.put(None)
        if self._thread is not None:
            self._thread.join(10)
        for worker in self.workers.values():
            worker.stop()

    # --- asking for prints -------------------------------------------------------------------------
    def _on_commit(self, rows: list[dict]) -> None:
        """Store listener: runs under the database lock, so it only enqueues."""
        for row in rows:
            if row["kind"] == events.ISSUED and row["details"].get("kiosk") in self.workers:
                self._jobs.put((row["ticket_id"], row["details"]["kiosk"]))

    def reprint(self, ticket_id: int, kiosk_id: str) -> bool:
        """Queue the ticket again on `kiosk_id`'s printer; False when that kiosk has no printer."""
        if kiosk_id not in self.workers:
            return False
        self._jobs.put((ticket_id, kiosk_id))
        return True

    def _dispatch_forever(self) -> None:
        while (item := self._jobs.get()) is not None:
            ticket_id, kiosk_id = item
            try:
                job = ticket_print(self.settings, self.engine.get_ticket(ticket_id, with_history=False))
                self.workers[kiosk_id].submit(f"{ticket_id}:{next(self._attempts)}", job)
            except Exception:  # one bad ticket must not stop the kiosk's printing
                log.exception("could not queue ticket %s for printing at %s", ticket_id, kiosk_id)

    # --- outcomes ----------------------------------------------------------------------------------
    def printer_state(self, kiosk_id: str) -> dict:
        """What the kiosk page shows before the tap: {status, can_print, message}."""
        worker = self.workers.get(kiosk_id)
        if worker is None:
            return {"status": NO_PRINTER, "can_print": False, "message": NO_PRINTER_MESSAGE}
        status = worker.last_status or PrinterStatus.UNKNOWN
        return {"status": status.value, "can_print": status.can_print, "message": status.message}

    def _on_result(self, kiosk_id: str, job_id: str, ok: bool, status: PrinterStatus, message: str) -> None:
        ticket_id = int(job_id.partition(":")[0])
        if ok and status == PrinterStatus.UNKNOWN:
            message = UNCONFIRMED
        self.engine.record_device_event(events.PRINTED if ok else events.PRINT_FAILED, actor=f"kiosk:{kiosk_id}",
                                        ticket_id=ticket_id, kiosk=kiosk_id, status=status.value,
                                        message=message)

    def _on_status(self, kiosk_id: str, status: PrinterStatus) -> None:
        previous = self._recorded.get(kiosk_id)
        self._recorded[kiosk_id] = status
        if previous is None and status == PrinterStatus.OK:
            return  # a printer that starts up fine is not news
        self.engine.record_device_event(events.PRINTER_STATUS, actor=f"kiosk:{kiosk_id}", kiosk=kiosk_id,
                                        status=status.value, can_print=status.can_print, message=status.message,
                                        previous=previous.value if previous else None)
