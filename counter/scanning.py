"""Barcode scans at a counter: what a scanned ticket code does, and the serial scanners of config.toml.

A scan is an action like a button press (docs/design.md "Layers": scanner → core.call_specific → events → realtime):
- a waiting (or transferred) ticket is called at the scanning counter, logged with reason "scanned";
- the counter's own called ticket starts being served (the citizen is standing at the desk);
- a dossier's receipt (giấy hẹn trả kết quả, issue 13) opens that dossier's status on the counter's
  screen (outcome "dossier"; a serial scan also logs `dossier_scanned` so the screen hears of it);
- anything else is refused with a `scan_rejected` event for that counter, whose Vietnamese message
  the counter screen shows. Messages never quote what was scanned: it may be a citizen's ID card.

The same rules serve serial scanners (ScannerStation, one reader thread each) and USB scanners in
keyboard mode (the counter page posts what they type to /counter/scan).
"""

from __future__ import annotations

import logging
from functools import partial

from core import events, lifecycle
from core.errors import NotFound, QueueError
from hardware.scanner import ScannerConfig, ScannerReader, parse_ticket_code
from hardware.stations import ReaderGroup

log = logging.getLogger(__name__)
SCANNED = "scanned"  # the reason logged with a call made by scanning


class ScanRules:
    """Turns one scanned text into one queue action at one counter (or one refusal)."""

    def __init__(self, engine, desk=None):
        self.engine, self.desk = engine, desk  # desk: dossiers/desk.py, None without the dossier lookup

    def scan(self, counter_id: str, text: str, *, actor: str) -> dict:
        """Act on a scan; returns {"outcome": called|started|dossier|rejected, "code", "message", "ticket"}
        (+ "dossier", the citizen's view, for a dossier's receipt)."""
        token = parse_ticket_code(text)
        if token is None:
            dossier = self._dossier(counter_id, text, actor)
            if dossier is not None:
                return dossier
            return self.reject(counter_id, "not_a_ticket", "Mã vừa quét không phải phiếu số thứ tự hay giấy hẹn "
                               "trả kết quả của trung tâm.", actor=actor)
        try:
            ticket = self.engine.ticket_for_token(token)
        except NotFound:
            return self.reject(counter_id, "ticket_not_found", "Không tìm thấy phiếu vừa quét trong hệ thống.",
                               actor=actor)
        try:
            if ticket["status"] in lifecycle.CALLABLE:
                called = self.engine.call_specific(counter_id, ticket["id"], actor=actor, reason=SCANNED)
                return {"outcome": "called", "code": "called", "ticket": called,
                        "message": f"Đã gọi số {called['number']} đến {called['counter_name']}."}
            if ticket["status"] == lifecycle.CALLED and ticket["counter"] == counter_id:
                started = self.engine.start(ticket["id"], actor=actor, counter_id=counter_id)
                return {"outcome": "started", "code": "started", "ticket": started,
                        "message": f"Bắt đầu phục vụ số {started['number']}."}
        except QueueError as error:  # the queue moved on between the lookup and the action, or refuses
            return self.reject(counter_id, error.code, error.message, actor=actor, ticket=ticket)
        code, message = _why_not(ticket, counter_id)
        return self.reject(counter_id, code, message, actor=actor, ticket=ticket)

    def _dossier(self, counter_id: str, text: str, actor: str) -> dict | None:
        """The dossier a receipt's code names (or its refusal); None when it is not a dossier code at all."""
        if self.desk is None or not self.desk.options.enabled:
            return None
        try:
            self.desk.check_code(text)
        except QueueError as error:
            if error.code != "code_checksum":
                return None  # not shaped like a dossier code: the caller says "not a ticket"
            return self.reject(counter_id, error.code, error.message, actor=actor)
        try:
            view = self.desk.lookup(f"counter:{counter_id}", text)
        except QueueError as error:  # unknown dossier, source busy, too many wrong codes
            return self.reject(counter_id, error.code, error.message, actor=actor)
        return {"outcome": "dossier", "code": "dossier", "ticket": None, "dossier": view,
                "message": f"Hồ sơ {view['code']}: {view['status_name']}."}

    def reject(self, counter_id: str, code: str, message: str, *, actor: str, ticket: dict | None = None,
               **details) -> dict:
        """Log a refused scan for the counter's screen; returns the refusal."""
        self.engine.record_device_event(events.SCAN_REJECTED, actor=actor, counter=counter_id,
                                        ticket_id=ticket["id"] if ticket else None, code=code, message=message,
                                        **details)
        return {"outcome": "rejected", "code": code, "message": message, "ticket": None}


def _why_not(ticket: dict, counter_id: str) -> tuple[str, str]:
    """Why a scanned ticket that is neither callable nor this counter's called ticket was refused."""
    number, status = ticket["number"], ticket["status"]
    if status == lifecycle.SERVING and ticket["counter"] == counter_id:
        return "already_serving", f"Số {number} đang được phục vụ tại quầy này."
    if status in (lifecycle.CALLED, lifecycle.SERVING):
        return "at_another_counter", f"Số {number} đang được xử lý ở {ticket['counter_name']}."
    return "not_callable", (f"Số {number} đang ở trạng thái “{lifecycle.STATUS_NAMES_VI[status]}”, "
                            "không gọi được bằng máy quét.")


class ScannerStation(ReaderGroup):
    """The serial scanners of config.toml ([[scanners]]): one ScannerReader each, wired to ScanRules.

    A scanner's first status after start is not logged: an unplugged scanner at start-up is shown by the
    counter page (it asks `statuses()`), and the event log records changes from then on. Logging it would
    also put a device event into every freshly started test server before its first ticket.
    """

    def __init__(self, engine, scanners, desk=None):
        super().__init__()
        self.rules = ScanRules(engine, desk)
        self.engine = engine
        for index, scanner in enumerate(scanners):
            config = ScannerConfig(url=scanner.url, baudrate=scanner.baudrate, suffix=scanner.suffix,
                                   prefix=scanner.prefix)
            reader = ScannerReader(config, partial(self._on_scan, scanner.counter),
                                   partial(self._on_status, index, scanner.counter))
            self.entries.append((scanner.counter, reader))

    # --- reader callbacks (on each reader's thread; the reader logs and swallows what they raise) ---------
    def _on_scan(self, counter_id: str, code: str) -> None:
        result = self.rules.scan(counter_id, code, actor=f"scanner:{counter_id}")
        if result["outcome"] == "dossier":  # the screen is not the one asking: tell it which dossier to show
            self.engine.record_device_event(events.DOSSIER_SCANNED, actor=f"scanner:{counter_id}", counter=counter_id,
                                            dossier=result["dossier"]["code"], status=result["dossier"]["status"])
        log.info("scan at counter %s: %s (%s)", counter_id, result["outcome"], result["code"])

    def _on_status(self, index: int, counter_id: str, kind: str, detail: str) -> None:
        counter_name = self.engine.settings.counters[counter_id].name
        if kind == "rejected":
            # Line noise, a wrong baud rate, a scanner in another mode: say so at the counter.
            self.rules.reject(counter_id, "unreadable_scan",
                              f"Máy quét của {counter_name} gửi dữ liệu không đọc được. Hãy quét lại.",
                              actor=f"scanner:{counter_id}", reason=detail)
            return
        if not self.is_news(index, kind):
            return  # start-up and shutdown are not news for the counter's screen
        message = (f"Máy quét mã vạch của {counter_name} đã kết nối lại." if kind == "connected"
                   else f"Máy quét mã vạch của {counter_name} mất kết nối. Kiểm tra dây cáp.")
        self.engine.record_device_event(events.SCANNER_STATUS, actor=f"scanner:{counter_id}", counter=counter_id,
                                        status=kind, message=message)
