"""How far the printed wait can be trusted: the estimate's error, per day and per thủ tục (issue 9 item 4).

For every ticket that printed an estimate in minutes and was called: error = printed minutes − actual wait,
actual wait = first call − issue, wall-clock minutes (what the citizen lived, lunch included). Left out:
tickets never called, and tickets whose last state is no-show or cancelled (the citizen left: their "wait"
is not one the estimate tried to predict). Tickets printed without minutes ("Chưa ước tính được") are
counted apart as `blank`. README "Every figure's definition" says the same.

Figures: count, median and p90 (nearest rank) of the absolute error, bias (mean error: above 0 means the
paper promised longer than the wait), share within ±3 minutes, share within ±25 % of the actual wait.
"""

from __future__ import annotations

import math
import statistics
from datetime import datetime

from store import estimate_accuracy as rows_of
from store import report_facts as table

from . import reports

EXCLUDED = ("no_show", "cancelled")
NEAR_MINUTES = 3.0
NEAR_SHARE = 0.25


def error_figures(pairs: list[tuple[float, float]], blank: int = 0) -> dict:
    """Figures of (printed minutes, actual minutes) pairs: count, blank, median_abs, p90_abs, bias,
    within_3_share, within_25_share (None when there is no pair)."""
    count = len(pairs)
    if not count:
        return {"count": 0, "blank": blank, "median_abs": None, "p90_abs": None, "bias": None,
                "within_3_share": None, "within_25_share": None}
    errors = [printed - actual for printed, actual in pairs]
    absolute = sorted(abs(error) for error in errors)
    return {
        "count": count, "blank": blank,
        "median_abs": statistics.median(absolute),
        "p90_abs": absolute[math.ceil(0.9 * count) - 1],
        "bias": sum(errors) / count,
        "within_3_share": sum(1 for e in absolute if e <= NEAR_MINUTES) / count,
        "within_25_share": sum(1 for (p, a) in pairs if abs(p - a) <= NEAR_SHARE * a) / count,
    }


def _minutes(later: str, earlier: str) -> float:
    return (datetime.fromisoformat(later) - datetime.fromisoformat(earlier)).total_seconds() / 60


def accuracy(rows) -> dict:
    """{totals, days, services} from the store's rows (store/estimate_accuracy.py estimate_rows)."""
    groups: dict = {"total": {}, "day": {}, "service": {}}

    def add(key_kind, key, pair):
        bucket = groups[key_kind].setdefault(key, [[], 0])
        if pair is None:
            bucket[1] += 1
        else:
            bucket[0].append(pair)

    for day, service, status, issued_at, printed, first_call in rows:
        if printed is None:
            pair = None
        elif first_call is None or status in EXCLUDED:
            continue
        else:
            pair = (float(printed), _minutes(first_call, issued_at))
        add("total", "", pair)
        add("day", day, pair)
        add("service", service, pair)
    figures = {kind: {key: error_figures(*value) for key, value in keyed.items()} for kind, keyed in groups.items()}
    return {"totals": figures["total"].get("", error_figures([])),
            "days": [{"key": key, **value} for key, value in sorted(figures["day"].items())],
            "services": [{"key": key, **value} for key, value in figures["service"].items()]}


def accuracy_report(path: str, settings, filters: dict, lang: str = "vi") -> dict:
    """The accuracy section of the reports for the reports' filters (run on a native thread)."""
    reports.catch_up(path, settings)
    with table.connect(path) as connection:
        result = accuracy(rows_of.estimate_rows(connection, filters))
    order = list(settings.services)
    for row in result["services"]:
        known = settings.services.get(row["key"])
        row["name"] = (known.name_en if lang == "en" and known.name_en else known.name) if known else row["key"]
    result["services"].sort(key=lambda row: (order.index(row["key"]) if row["key"] in order else len(order), row["key"]))
    for row in result["days"]:
        row["name"] = row["key"]
    return result
