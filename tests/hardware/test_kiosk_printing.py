"""The kiosk's printing path without a browser: a committed "issued" event → the kiosk's print worker →
ESC/POS on a fake LAN printer (or a pty serial printer) → "printed" / "print_failed" / "printer_status"
events in the log. Real queue engine and store, real TCP and pty; nothing mocked."""

from __future__ import annotations

import dataclasses
import threading
import time
from datetime import timedelta

import pytest
import zxingcpp

from core import events
from core.engine import QueueEngine
from hardware.ticket_image import render_ticket_regions
from kiosk.printing import UNCONFIRMED, KioskPrinting, ticket_print
from tests.fakes.escpos_printer import FakeNetworkPrinter, decode_raster, stack_images
from tests.hardware.test_printer_serial import PtyPrinterEnd

KIOSK = "kiosk:kiosk-1"


class EventLog:
    """Every event the store commits, with a wait on a condition (no sleeps)."""

    def __init__(self, store):
        self.rows: list[dict] = []
        self.condition = threading.Condition()
        store.subscribe(self._add)

    def _add(self, rows: list[dict]) -> None:
        with self.condition:
            self.rows.extend(rows)
            self.condition.notify_all()

    def wait_for(self, kind: str, timeout: float = 10, **details) -> dict:
        def found():
            return next((row for row in self.rows if row["kind"] == kind
                         and all(row["details"].get(k) == v for k, v in details.items())), None)
        with self.condition:
            assert self.condition.wait_for(found, timeout), f"no {kind} {details} in {self.kinds()}"
            return found()

    def kinds(self) -> list[str]:
        return [row["kind"] for row in self.rows]


def printing_centre(settings, store, clock, tmp_path, printer: str, **kiosk_options):
    """An engine whose kiosk-1 prints to `printer`, its KioskPrinting started, and an event log."""
    kiosks = dict(settings.kiosks)
    kiosks["kiosk-1"] = dataclasses.replace(kiosks["kiosk-1"], printer=printer)
    settings = dataclasses.replace(settings, kiosks=kiosks,
                                   kiosk=dataclasses.replace(settings.kiosk, **kiosk_options))
    engine = QueueEngine(settings, store, clock)
    log = EventLog(store)
    return engine, log, KioskPrinting(settings, engine, tmp_path / "printed").start()


@pytest.fixture
def lan():
    with FakeNetworkPrinter() as printer:
        yield printer


@pytest.fixture
def centre(settings, store, clock, tmp_path, lan):
    engine, log, printing = printing_centre(settings, store, clock, tmp_path, lan.url)
    yield engine, log, printing
    printing.stop()


def test_a_kiosk_ticket_is_printed_with_its_qr_code_and_local_time(centre, lan):
    engine, log, _ = centre
    engine.issue_ticket("KS", None, actor=KIOSK, kiosk="kiosk-1")          # someone ahead
    ticket = engine.issue_ticket("KS", "elderly", actor=KIOSK, kiosk="kiosk-1")
    lan.wait_for_ticket(timeout=10)
    paper = stack_images(decode_raster(lan.wait_for_ticket(timeout=10)))

    assert paper.width == 576
    assert [code.text for code in zxingcpp.read_barcodes(paper.convert("L"))] == [ticket["status_url"]]
    expected = ticket_print(engine.settings, engine.get_ticket(ticket["id"], with_history=False))
    assert expected.issued_at.utcoffset() == timedelta(hours=7)           # printed in the centre's time
    assert f"{expected.issued_at:%H:%M %d/%m/%Y}" == "09:00 23/11/2026"
    assert (expected.people_ahead, expected.priority_label) == (0, "Ưu tiên: Người cao tuổi")
    rendered = render_ticket_regions(expected, paper.width)
    assert paper.tobytes() == rendered.image.tobytes()                     # exactly what was rendered
    left, top, right, bottom = rendered.regions["number"]
    inked = paper.crop((left, top, right, bottom)).convert("L").histogram()[0]
    assert inked > 0.2 * (right - left) * (bottom - top)                   # the number's region is inked

    printed = log.wait_for(events.PRINTED, kiosk="kiosk-1", number=ticket["number"])
    assert printed["ticket_id"] == ticket["id"] and printed["actor"] == KIOSK
    assert printed["details"]["status"] == "ok"


def test_only_tickets_of_a_kiosk_with_a_printer_are_printed(centre, lan):
    engine, log, printing = centre
    engine.issue_ticket("GPLX", None, actor="kiosk:kiosk-2", kiosk="kiosk-2")  # kiosk-2: printer "none"
    engine.issue_ticket("KS", None, actor="admin:admin")                    # not from a kiosk
    ticket = engine.issue_ticket("KH", None, actor=KIOSK, kiosk="kiosk-1")
    log.wait_for(events.PRINTED, number=ticket["number"])
    assert len(lan.tickets) == 1
    assert printing.printer_state("kiosk-2") == {"status": "none", "can_print": False,
                                                 "message": "Kiosk này không có máy in."}
    assert printing.printer_state("kiosk-1")["can_print"] is True


def test_reprint_prints_the_same_ticket_again(centre, lan):
    engine, log, printing = centre
    ticket = engine.issue_ticket("KS", None, actor=KIOSK, kiosk="kiosk-1")
    first = stack_images(decode_raster(lan.wait_for_ticket(timeout=10)))
    assert printing.reprint(ticket["id"], "kiosk-1") is True
    second = stack_images(decode_raster(lan.wait_for_ticket(timeout=10)))
    assert zxingcpp.read_barcodes(second.convert("L"))[0].text == ticket["status_url"]
    assert first.size == second.size
    assert printing.reprint(ticket["id"], "kiosk-2") is False               # kiosk-2 has no printer


@pytest.mark.parametrize("state, status", [("paper_out", "paper_out"), ("offline", "offline"),
                                           ("cover_open", "cover_open"), ("refuse", "unreachable")])
def test_a_printer_fault_is_an_event_and_the_ticket_still_counts(centre, lan, state, status):
    engine, log, _ = centre
    lan.set_state(state)
    began = time.monotonic()
    ticket = engine.issue_ticket("KS", None, actor=KIOSK, kiosk="kiosk-1")
    assert time.monotonic() - began < 0.5                                  # issuing never waits for paper
    failed = log.wait_for(events.PRINT_FAILED, number=ticket["number"])
    assert failed["ticket_id"] == ticket["id"] and failed["details"]["status"] == status
    assert failed["details"]["kiosk"] == "kiosk-1" and failed["details"]["message"]
    changed = log.wait_for(events.PRINTER_STATUS, status=status)
    assert changed["details"]["can_print"] is False and changed["details"]["kiosk"] == "kiosk-1"
    assert engine.get_ticket(ticket["id"])["status"] == "waiting"
    assert lan.tickets == []


def test_a_printer_that_never_answers_prints_unconfirmed(centre, lan):
    engine, log, _ = centre
    lan.set_state("silent")
    ticket = engine.issue_ticket("KS", None, actor=KIOSK, kiosk="kiosk-1")
    printed = log.wait_for(events.PRINTED, number=ticket["number"])
    assert printed["details"] | {"number": None} == {"kiosk": "kiosk-1", "status": "unknown",
                                                      "message": UNCONFIRMED, "number": None}
    assert log.wait_for(events.PRINTER_STATUS, status="unknown")["details"]["can_print"] is True


def test_status_changes_are_reported_before_the_paper_runs_out(settings, store, clock, tmp_path, lan):
    engine, log, printing = printing_centre(settings, store, clock, tmp_path, lan.url, printer_status_seconds=1)
    try:
        lan.set_state("paper_near_end")
        near = log.wait_for(events.PRINTER_STATUS, status="paper_near_end")
        assert near["details"]["message"] == "Máy in sắp hết giấy"
        assert near["details"]["previous"] in ("ok", None)  # None: the first check already saw it
        lan.set_state("paper_out")
        assert log.wait_for(events.PRINTER_STATUS, status="paper_out")["details"]["can_print"] is False
        assert printing.printer_state("kiosk-1")["status"] == "paper_out"
        lan.set_state("ok")
        assert log.wait_for(events.PRINTER_STATUS, status="ok")["details"]["previous"] == "paper_out"
    finally:
        printing.stop()
    assert log.kinds().count(events.PRINTER_STATUS) == 3                    # a printer that starts fine is no news


def test_a_serial_printer_on_a_pty_prints_the_kiosk_ticket(settings, store, clock, tmp_path):
    printer_end = PtyPrinterEnd(stop_after="cut")
    engine, log, printing = printing_centre(settings, store, clock, tmp_path,
                                            f"serial://{printer_end.path}?baudrate=115200&dsrdtr=0")
    try:
        ticket = engine.issue_ticket("GPLX", None, actor=KIOSK, kiosk="kiosk-1")
        assert printer_end.done.wait(30)
        paper = stack_images(decode_raster(bytes(printer_end.received)))
        assert zxingcpp.read_barcodes(paper.convert("L"))[0].text == ticket["status_url"]
        assert log.wait_for(events.PRINTED, number=ticket["number"])["details"]["status"] == "ok"
    finally:
        printing.stop()
        printer_end.close()


def test_the_fake_printer_saves_each_ticket_as_a_png(settings, store, clock, tmp_path):
    engine, log, printing = printing_centre(settings, store, clock, tmp_path, "fake")
    try:
        ticket = engine.issue_ticket("KS", None, actor=KIOSK, kiosk="kiosk-1")
        log.wait_for(events.PRINTED, number=ticket["number"])
    finally:
        printing.stop()
    saved = list((tmp_path / "printed").glob("ticket-*.png"))
    assert len(saved) == 1
    assert printing.workers == {"kiosk-1": printing.workers["kiosk-1"]}


def test_a_wrong_printer_url_is_named_at_start(settings, store, clock, tmp_path):
    with pytest.raises(ValueError, match=r"^kiosks\.kiosk-1\.printer: .*tcp://"):
        printing_centre(settings, store, clock, tmp_path, "tcp://printer:port")
