"""The console's report of the printed wait's error (core/estimate_accuracy.py) over HTTP: a day played
through the API with the clock moved by hand, every figure worked out below, on the page, in the JSON,
the CSV and the workbook."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook

from tests.web.api_support import counter_token

JSON = {"Accept": "application/json"}
TODAY = "from=2026-11-23&to=2026-11-23"


def _at(api, clock, minutes_after_nine: int, counter: str, action: str, ticket: dict | None = None):
    clock.set(clock.start + timedelta(minutes=minutes_after_nine))
    if action == "next":
        return api.call_next(counter)
    return api.act(ticket["id"], action, counter)


def test_the_estimates_error_per_day_and_per_thu_tuc(api, clock):
    clock.start = clock.now()                          # Monday 23 Nov 2026, 09:00
    assert api.post("/api/counters/9/next", counter_token("9")).status_code == 204   # quầy 9 is staffed
    a, b, c = (api.issue("GPLX") for _ in range(3))    # GPLX and DKX: quầy 9 alone, 8 min by default
    d = api.issue("DKX")
    blank = api.issue("KT")                            # nobody at quầy 1, 2 or 10: printed without minutes
    assert [t["estimate"]["minutes"] for t in (a, b, c, d, blank)] == [0, 8, 16, 24, None]
    assert _at(api, clock, 2, "9", "next")["id"] == a["id"]          # waited 2, promised 0: error −2
    _at(api, clock, 2, "9", "start", a)
    _at(api, clock, 12, "9", "finish", a)
    assert _at(api, clock, 12, "9", "next")["id"] == b["id"]         # called, then absent: left out
    _at(api, clock, 15, "9", "no-show", b)
    assert _at(api, clock, 15, "9", "next")["id"] == c["id"]         # waited 15, promised 16: +1
    _at(api, clock, 15, "9", "start", c)
    _at(api, clock, 20, "9", "finish", c)
    assert _at(api, clock, 20, "9", "next")["id"] == d["id"]         # waited 20, promised 24: +4

    manager = api.sign_in("quanly")
    report = manager.client.get(f"/admin/reports/data.json?{TODAY}", headers=JSON).get_json()["estimate"]
    # Errors −2, +1, +4: |error| 1, 2, 4 → median 2, p90 (nearest rank of 3) 4, bias +1;
    # within ±3 min: 2 of 3; within ±25 % of the wait: 1 ≤ 3.75 and 4 ≤ 5 yes, 2 > 0.5 no → 2 of 3.
    assert report["totals"] == {"count": 3, "blank": 1, "median_abs": 2.0, "p90_abs": 4.0, "bias": 1.0,
                                "within_3_share": 2 / 3, "within_25_share": 2 / 3}
    assert [(row["key"], row["count"], row["blank"]) for row in report["days"]] == [("2026-11-23", 3, 1)]
    services = {row["key"]: row for row in report["services"]}
    assert list(services) == ["KT", "GPLX", "DKX"]      # the config's order
    assert (services["GPLX"]["count"], services["GPLX"]["bias"], services["GPLX"]["median_abs"]) == (2, -0.5, 1.5)
    assert (services["DKX"]["count"], services["DKX"]["bias"]) == (1, 4.0)
    assert (services["KT"]["count"], services["KT"]["blank"], services["KT"]["median_abs"]) == (0, 1, None)

    only = manager.client.get(f"/admin/reports/data.json?{TODAY}&service=GPLX", headers=JSON).get_json()["estimate"]
    assert (only["totals"]["count"], only["totals"]["bias"]) == (2, -0.5)   # the report's filters apply
    yesterday = manager.client.get("/admin/reports/data.json?from=2026-11-22&to=2026-11-22", headers=JSON)
    assert yesterday.get_json()["estimate"]["totals"]["count"] == 0
    page = manager.client.get(f"/admin/reports?{TODAY}").get_data(as_text=True)
    assert "Sai số của thời gian chờ dự kiến" in page
    assert 'id="estimate-median_abs">2,0<' in page and 'id="estimate-bias">1,0<' in page
    assert 'id="estimate-within_3_share">66,7%<' in page and 'id="estimate-blank">1<' in page
    services_table = page.split('id="report-estimate-services"', 1)[1].split("</table>", 1)[0]
    assert f'<tr data-key="GPLX"><td>{api.engine.settings.services["GPLX"].name}</td>' in services_table

    text = manager.client.get(f"/admin/reports/export.csv?table=estimate_services&{TODAY}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["Thủ tục", "Số phiếu đo", "In không có ước tính"]
    assert [row[1:3] for row in rows[1:]] == [["0", "1"], ["2", "0"], ["1", "0"]]
    book = load_workbook(io.BytesIO(manager.client.get(f"/admin/reports/export.xlsx?{TODAY}").get_data()),
                         read_only=True)
    days = list(book["Sai số ước tính theo ngày"].iter_rows(values_only=True))
    assert days[1][1:4] == (3, 1, 2.0) and days[1][5] == 1.0
