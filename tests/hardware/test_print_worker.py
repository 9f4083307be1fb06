"""PrintWorker: results arrive through callbacks, failures never stop the worker."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from hardware.print_worker import PrintWorker
from hardware.printer import PrinterStatus, open_printer
from tests.fakes.escpos_printer import decode_raster
from tests.hardware.samples import FAST_TIMEOUTS, make_ticket

REPOSITORY = Path(__file__).resolve().parents[2]


class Recorder:
    """Collects callback calls and lets a test wait for a number of them."""

    def __init__(self) -> None:
        self.results: list[tuple[str, bool, PrinterStatus, str]] = []
        self.statuses: list[PrinterStatus] = []
        self._condition = threading.Condition()

    def on_result(self, job_id: str, ok: bool, status: PrinterStatus, message: str) -> None:
        with self._condition:
            self.results.append((job_id, ok, status, message))
            self._condition.notify_all()

    def on_status(self, status: PrinterStatus) -> None:
        with self._condition:
            self.statuses.append(status)
            self._condition.notify_all()

    def wait_for_results(self, count: int, timeout: float = 5.0) -> list:
        with self._condition:
            assert self._condition.wait_for(lambda: len(self.results) >= count, timeout), self.results
            return list(self.results)

    def wait_for_status(self, status: PrinterStatus, timeout: float = 5.0) -> None:
        with self._condition:
            assert self._condition.wait_for(lambda: status in self.statuses, timeout), self.statuses


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def worker(lan_printer, recorder):
    worker = PrintWorker(lambda: open_printer(lan_printer.url, **FAST_TIMEOUTS), recorder.on_result,
                         recorder.on_status, status_interval=None)
    yield worker
    worker.stop()


def test_successful_job_reports_ok(worker, lan_printer, recorder, ticket):
    worker.submit("job-1", ticket)
    [(job_id, ok, status, message)] = recorder.wait_for_results(1)
    assert (job_id, ok, status) == ("job-1", True, PrinterStatus.OK)
    assert message == "Đã in phiếu"
    assert decode_raster(lan_printer.wait_for_ticket(timeout=5))
    recorder.wait_for_status(PrinterStatus.OK)


@pytest.mark.parametrize(
    ("state", "expected", "message"),
    [("refuse", PrinterStatus.UNREACHABLE, "Không kết nối được máy in"),
     ("paper_out", PrinterStatus.PAPER_OUT, "Máy in hết giấy")],
)
def test_failed_job_reports_and_next_job_prints(worker, lan_printer, recorder, ticket, state, expected, message):
    lan_printer.set_state(state)
    worker.submit("job-1", ticket)
    first = recorder.wait_for_results(1)[0]
    assert first[:3] == ("job-1", False, expected)
    assert first[3].startswith(message)
    recorder.wait_for_status(expected)

    lan_printer.set_state("ok")
    worker.submit("job-2", ticket)
    assert recorder.wait_for_results(2)[1][:3] == ("job-2", True, PrinterStatus.OK)
    assert decode_raster(lan_printer.wait_for_ticket(timeout=5))
    assert worker.is_alive


def test_unprintable_ticket_and_failing_callback_do_not_kill_the_worker(lan_printer, ticket):
    calls: list[tuple[str, bool]] = []
    done = threading.Event()

    def on_result(job_id, ok, status, message):
        calls.append((job_id, ok))
        if job_id == "job-2":
            done.set()
        raise RuntimeError("a buggy listener")

    worker = PrintWorker(lambda: open_printer(lan_printer.url, **FAST_TIMEOUTS), on_result, status_interval=None)
    try:
        worker.submit("job-1", make_ticket(status_url="http://x/" + "a" * 3000))  # too long for a QR code
        worker.submit("job-2", ticket)
        assert done.wait(timeout=5)
        assert calls == [("job-1", False), ("job-2", True)]
    finally:
        worker.stop()


def test_poll_status_reports_changes_only(worker, lan_printer, recorder):
    lan_printer.set_state("paper_near_end")
    worker.poll_status()
    recorder.wait_for_status(PrinterStatus.PAPER_NEAR_END)
    worker.poll_status()
    lan_printer.set_state("cover_open")
    worker.poll_status()
    recorder.wait_for_status(PrinterStatus.COVER_OPEN)
    assert recorder.statuses == [PrinterStatus.PAPER_NEAR_END, PrinterStatus.COVER_OPEN]


def test_status_is_polled_periodically_when_idle(lan_printer, recorder):
    lan_printer.set_state("offline")
    worker = PrintWorker(lambda: open_printer(lan_printer.url, **FAST_TIMEOUTS), recorder.on_result,
                         recorder.on_status, status_interval=0.05)
    try:
        recorder.wait_for_status(PrinterStatus.OFFLINE)
    finally:
        worker.stop()
    assert not worker.is_alive


def test_submit_after_stop_is_refused(worker, ticket):
    worker.stop()
    with pytest.raises(RuntimeError):
        worker.submit("late", ticket)


GEVENT_SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import threading
    from hardware.print_worker import PrintWorker
    from hardware.printer import open_printer
    from tests.fakes.escpos_printer import FakeNetworkPrinter, decode_raster
    from tests.hardware.samples import make_ticket

    results, done = [], threading.Event()
    with FakeNetworkPrinter() as lan_printer:
        worker = PrintWorker(lambda: open_printer(lan_printer.url, status_timeout=0.3),
                             lambda *result: (results.append(result), done.set()), status_interval=None)
        worker.submit("job-1", make_ticket())
        assert done.wait(timeout=10), "no result under gevent"
        assert decode_raster(lan_printer.wait_for_ticket(timeout=5))
        worker.stop()
    assert results[0][1] is True, results
    print("printed under gevent")
    """
)


def test_worker_runs_under_gevent_monkey_patching():
    completed = subprocess.run([sys.executable, "-c", GEVENT_SCRIPT], cwd=REPOSITORY,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert "printed under gevent" in completed.stdout
