"""Print tickets on a background thread, one thread per printer.

The kiosk's request must never wait for paper: connecting to a switched-off LAN printer takes
up to the connect timeout, and an image ticket over serial takes seconds (docs/design.md, decision 2).
So the request calls :meth:`PrintWorker.submit` and returns; the outcome arrives through
``on_result``. Only ``threading`` and ``queue.Queue`` are used, which gevent's monkey-patching
turns into greenlets, so the same code runs under the threading and the gevent server.

Under gevent the worker is a greenlet on the one loop that serves every screen, so the render
(10–20 ms of CPU: layout, QR, raster, ESC/POS bytes, the demo printer's PNG) runs in a separate
process (hardware/render_process.py), where it does not hold this process's GIL, and every blocking
device write (file://, usb://, serial) goes through ``blocking.run_blocking`` to a native thread; only
a LAN printer's socket, which gevent makes cooperative, is used from the loop itself (README,
"Printing").
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass
from typing import Callable

from blocking import run_blocking
from hardware.printer import PrinterError, PrinterStatus, TicketPrinter, build_job
from hardware.render_process import RENDERER, RenderedTicket, RenderUnavailable, render
from hardware.ticket_image import TicketPrint

logger = logging.getLogger(__name__)

ResultCallback = Callable[[str, bool, PrinterStatus, str], None]
StatusCallback = Callable[[PrinterStatus], None]


@dataclass(frozen=True)
class _PrintJob:
    job_id: str
    ticket: TicketPrint


class _PollStatus:
    """Queue item asking the worker to check the printer now."""


_STOP = object()


class PrintWorker:
    """Owns one printer; renders and prints jobs in order, and watches the printer's status.

    ``printer_factory`` is called on the worker thread (again after it fails), so building a
    printer never blocks the caller. ``on_result(job_id, ok, status, message)`` is called once per
    job; ``on_status(status)`` whenever the status differs from the last one reported.
    ``status_interval`` seconds of idleness trigger a status check (None: only on request).
    """

    def __init__(
        self,
        printer_factory: Callable[[], TicketPrinter],
        on_result: ResultCallback,
        on_status: StatusCallback | None = None,
        status_interval: float | None = 30.0,
        name: str = "printer",
        renderer=RENDERER,
    ) -> None:
        self._renderer = renderer
        self._printer_factory = printer_factory
        self._on_result = on_result
        self._on_status = on_status
        self._status_interval = status_interval
        self._jobs: queue.Queue = queue.Queue()
        self._printer: TicketPrinter | None = None
        self._stopping = False
        self.last_status: PrinterStatus | None = None
        self._thread = threading.Thread(target=self._run, name=f"print-worker-{name}", daemon=True)
        self._thread.start()

    def submit(self, job_id: str, ticket: TicketPrint) -> None:
        """Queue ``ticket`` for printing and return at once."""
        if self._stopping:
            raise RuntimeError("PrintWorker is stopped")
        self._jobs.put(_PrintJob(job_id, ticket))

    def poll_status(self) -> None:
        """Ask the worker to check the printer now; a change is reported through ``on_status``."""
        if not self._stopping:
            self._jobs.put(_PollStatus())

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the queued jobs, then end the thread (waiting at most ``timeout`` seconds)."""
        if not self._stopping:
            self._stopping = True
            self._jobs.put(_STOP)
        self._thread.join(timeout)
        if self._thread.is_alive():
            logger.warning("print worker %s did not stop within %.1f s", self._thread.name, timeout)

    @property
    def is_alive(self) -> bool:
        """True while the worker thread runs."""
        return self._thread.is_alive()

    def _run(self) -> None:
        next_poll = self._next_poll_time()
        while True:
            wait = None if next_poll is None else max(0.0, next_poll - time.monotonic())
            try:
                item = self._jobs.get(timeout=wait)
            except queue.Empty:
                item = _PollStatus()
            if item is _STOP:
                break
            try:
                if isinstance(item, _PrintJob):
                    self._print(item)
                else:
                    self._check_status()
            except Exception:  # the worker must outlive any one job or callback
                logger.exception("print worker: unexpected error")
            next_poll = self._next_poll_time()
        self._fail_leftover_jobs()
        self._close_printer()

    def _fail_leftover_jobs(self) -> None:
        # A submit() racing with stop() can land behind the stop marker; its caller still
        # deserves exactly one result.
        while True:
            try:
                item = self._jobs.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, _PrintJob):
                self._report_result(item.job_id, False, PrinterStatus.UNKNOWN, "Máy in đã dừng nhận phiếu")

    def _next_poll_time(self) -> float | None:
        if self._status_interval is None:
            return None
        return time.monotonic() + self._status_interval

    def _get_printer(self) -> TicketPrinter:
        if self._printer is None:
            self._printer = self._printer_factory()
        return self._printer

    def _print(self, job: _PrintJob) -> None:
        try:
            printer = self._get_printer()
            rendered = self._render(job.ticket, printer)
            if printer.cooperative_io:
                printer.print_rendered(rendered.job, rendered.png)  # the socket I/O yields to the loop
            else:
                run_blocking(printer.print_rendered, rendered.job, rendered.png)
        except PrinterError as error:
            self._report_result(job.job_id, False, error.status, error.message)
            self._report_status(error.status)
            return
        except Exception as error:  # a bad ticket or factory must fail this job only
            logger.exception("print job %s failed", job.job_id)
            self._close_printer()  # rebuild on the next job in case the printer object is broken
            self._report_result(job.job_id, False, PrinterStatus.UNKNOWN, f"Lỗi khi in phiếu: {error}")
            return
        status = printer.last_status
        self._report_result(job.job_id, True, status, "Đã in phiếu")
        self._report_status(status)

    def _render(self, ticket: TicketPrint, printer: TicketPrinter) -> RenderedTicket:
        """In the render process (its CPU off this process's GIL); here, off the loop, if that fails."""
        try:
            return self._renderer.render(ticket, printer.width_px, printer.profile, printer.wants_png)
        except RenderUnavailable as error:
            logger.warning("rendering in the server process: %s", error)
            return run_blocking(render, ticket, printer.width_px, printer.profile, printer.wants_png)

    def _check_status(self) -> None:
        try:
            printer = self._get_printer()
            status = printer.status() if printer.cooperative_io else run_blocking(printer.status)
        except Exception:
            logger.exception("printer status check failed")
            self._close_printer()
            status = PrinterStatus.UNKNOWN
        self._report_status(status)

    def _report_result(self, job_id: str, ok: bool, status: PrinterStatus, message: str) -> None:
        try:
            self._on_result(job_id, ok, status, message)
        except Exception:
            logger.exception("on_result callback failed for job %s", job_id)

    def _report_status(self, status: PrinterStatus) -> None:
        if status == self.last_status:
            return
        self.last_status = status
        if self._on_status is None:
            return
        try:
            self._on_status(status)
        except Exception:
            logger.exception("on_status callback failed")

    def _close_printer(self) -> None:
        printer, self._printer = self._printer, None
        if printer is not None:
            try:
                printer.close()
            except Exception:
                logger.exception("closing the printer failed")
