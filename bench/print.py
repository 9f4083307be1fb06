"""python -m bench print: from a kiosk's POST /api/tickets to the last byte on a LAN printer, p50/p99.

The real server (gevent) runs the demo centre with kiosk-1 printing to a capture printer on this machine
(tests/fakes/escpos_printer.py: it takes the ESC/POS bytes and answers DLE EOT status queries as an Epson
does). One ticket at a time, as a kiosk issues them: the clock starts before the POST is sent and stops
when the printer has received the whole job (the kiosk's worker closes the connection after the last
byte). Also timed in this process: rendering the ticket image and turning it into ESC/POS raster bytes.
Prints one JSON line per measurement; --runs N adds median lines.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import platform
import re
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import zxingcpp

from bench.server import ROOT, BenchServer
from hardware.printer import build_job
from hardware.ticket_image import TicketPrint, render_ticket
from tests.fakes.escpos_printer import FakeNetworkPrinter, decode_raster, stack_images

SERVICES = ("KS", "KH", "GCN", "CT-BS", "GPLX", "TL-DN")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class TimedPrinter(FakeNetworkPrinter):
    """The capture printer, noting when each ticket's last byte arrived (its connection's end of stream)."""

    def __init__(self) -> None:
        self.ticket_times: list[float] = []
        super().__init__()

    def _record(self, data: bytes, client) -> None:
        now = time.perf_counter()
        # Under the condition super() notifies with (an RLock): a waiter sees the ticket and its time together.
        with self._condition:
            before = len(self.tickets)
            super()._record(data, client)
            if len(self.tickets) > before:  # not a status check's connection
                self.ticket_times.append(now)


def bench_config(directory: Path, printer_url: str) -> Path:
    """The demo centre, kiosk-1 printing to `printer_url`, no rate limit (one kiosk issues 200 in a row)."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = re.sub(r'(id = "kiosk-1"\nname = .*\nprinter = )".*"', rf'\1"{printer_url}"', text)
    text = re.sub(r'(?m)^printer = "fake"$', 'printer = "none"', text)  # kiosk-2
    text = re.sub(r"(?m)^rate_limit_tickets = \d+", "rate_limit_tickets = 0", text)
    text = re.sub(r"daily_cap = \d+", "daily_cap = 999", text)
    path = directory / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def end_to_end(tickets: int) -> dict:
    """Issue `tickets` numbers one after another and time each until its last byte is on the printer."""
    with TimedPrinter() as printer, tempfile.TemporaryDirectory(prefix="xh-bench-print-") as directory:
        with BenchServer("gevent", config=bench_config(Path(directory), printer.url)) as server:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
            headers = {"Authorization": "Bearer demo-kiosk-1", "Content-Type": "application/json"}
            printed, responses, urls = [], [], []
            for n in range(tickets + 5):  # the first five warm up (imports, font cache, first connection)
                body = json.dumps({"service": SERVICES[n % len(SERVICES)], "priority": None})
                began = time.perf_counter()
                connection.request("POST", "/api/tickets", body, headers)
                response = connection.getresponse()
                answer = json.loads(response.read())
                answered = time.perf_counter()
                assert response.status == 201, answer
                data = printer.wait_for_ticket(timeout=30)
                if n >= 5:
                    printed.append(printer.ticket_times[n] - began)
                    responses.append(answered - began)
                    urls.append((data, answer["status_url"]))
            # The right tickets reached the paper: check the QR code of the first and the last.
            for data, url in (urls[0], urls[-1]):
                image = stack_images(decode_raster(data)).convert("L")
                assert [code.text for code in zxingcpp.read_barcodes(image)] == [url]
            job_kb = round(len(urls[-1][0]) / 1024, 1)
    return {"benchmark": "print", "what": "POST /api/tickets → last byte on the LAN printer", "tickets": tickets,
            "p50_ms": round(percentile(printed, 0.5) * 1000, 1), "p99_ms": round(percentile(printed, 0.99) * 1000, 1),
            "max_ms": round(max(printed) * 1000, 1),
            "response_p50_ms": round(percentile(responses, 0.5) * 1000, 2), "job_kb": job_kb,
            "target": "p50 < 150 ms, p99 < 300 ms",
            "machine": f"{platform.machine()} {multiprocessing.cpu_count()} cores"}


def rendering(count: int) -> dict:
    """Time render_ticket (Pillow, 576 px) and build_job (GS v 0 raster + cut) in this process."""
    local = timezone(timedelta(hours=7))
    renders, rasters = [], []
    for n in range(count + 5):
        ticket = TicketPrint(centre_name="Trung tâm Phục vụ hành chính công tỉnh Hòa Bình Xanh", number=f"A{n:03d}",
                             service_name="Cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản "
                                          "khác gắn liền với đất lần đầu", people_ahead=n, eta_minutes=4 * n,
                             issued_at=datetime(2026, 11, 23, 9, 0, tzinfo=local) + timedelta(minutes=n),
                             status_url=f"http://192.168.1.10:8080/t/{'x' * 22}{n}")
        began = time.perf_counter()
        image = render_ticket(ticket)
        rendered = time.perf_counter()
        build_job(image, "TM-T20II")
        if n >= 5:
            renders.append(rendered - began)
            rasters.append(time.perf_counter() - rendered)
    return {"benchmark": "print", "what": "render 576-px ticket / build ESC/POS raster job", "tickets": count,
            "render_p50_ms": round(percentile(renders, 0.5) * 1000, 1),
            "render_p99_ms": round(percentile(renders, 0.99) * 1000, 1),
            "raster_p50_ms": round(percentile(rasters, 0.5) * 1000, 1),
            "raster_p99_ms": round(percentile(rasters, 0.99) * 1000, 1), "size": f"576x{image.height}"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench print")
    parser.add_argument("--tickets", type=int, default=200)
    parser.add_argument("--runs", type=int, default=1, help="repeat and also print the median lines")
    args = parser.parse_args(argv)
    results: dict[str, list[dict]] = {"end_to_end": [], "rendering": []}
    for _ in range(args.runs):
        for name, measure in (("end_to_end", end_to_end), ("rendering", rendering)):
            results[name].append(measure(args.tickets))
            print(json.dumps(results[name][-1], ensure_ascii=False), flush=True)
    if args.runs > 1:
        for lines in results.values():
            median = {k: (statistics.median(line[k] for line in lines) if isinstance(v, (int, float)) else v)
                      for k, v in lines[0].items()}
            print(json.dumps({**median, "summary": f"median of {args.runs} runs"}, ensure_ascii=False), flush=True)
    return 0
