"""The reports: every figure of README "Reports", from the event log, for a date range and filters.

`parse_filters` checks what a manager asked for (a clear Vietnamese InvalidRequest otherwise);
`build_report` catches the summary table up with the log (store/report_facts.py) and folds its
pre-summed cells into the report. Times are in minutes. Run it on a native thread: it reads a year.
"""

from __future__ import annotations

import math
import re
import statistics
from datetime import date

from store import report_facts as table

from .errors import InvalidRequest
from .report_facts import ticket_facts
from .settings import Settings

MAX_DAYS = 731  # two years: a year against the year before; more is a database export, not a report
FILTER_KEYS = ("from", "to", "service", "group", "counter", "clerk", "priority", "channel")
NO_PRIORITY = "none"
CHANNEL = re.compile(r"^[a-z][a-z_-]{0,31}$")
# The national survey's five levels (1 = best) and the 3-level preset; "hài lòng" = the top half.
LEVEL_NAMES = {
    5: ("Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"),
    4: ("Rất hài lòng", "Hài lòng", "Không hài lòng", "Rất không hài lòng"),
    3: ("Hài lòng", "Bình thường", "Không hài lòng"),
}
LEVEL_NAMES_EN = {
    5: ("Very satisfied", "Satisfied", "Neutral", "Dissatisfied", "Very dissatisfied"),
    4: ("Very satisfied", "Satisfied", "Dissatisfied", "Very dissatisfied"),
    3: ("Satisfied", "Neutral", "Dissatisfied"),
}


def satisfied_levels(settings: Settings) -> int:
    """Levels 1…N count as "hài lòng": `rating.satisfied_levels` when the centre configures ratings, else 0,
    meaning the top half of each rating's own scale (1–2 of 5, 1–2 of 4, 1 of 3; 1 = best)."""
    rating = getattr(settings, "rating", None)
    return int(getattr(rating, "satisfied_levels", 0) or 0)


def level_name(level: int, levels: int, lang: str = "vi", settings: Settings | None = None) -> str:
    """A rating level's words: the centre's own [rating] labels when the scale matches, else the shipped ones."""
    rating = getattr(settings, "rating", None) if settings is not None else None
    if rating is not None and getattr(rating, "levels", None) == levels:
        labels = rating.labels_en if lang == "en" else rating.labels
        if 1 <= level <= len(labels):
            return labels[level - 1]
    names = (LEVEL_NAMES_EN if lang == "en" else LEVEL_NAMES).get(levels)
    return names[level - 1] if names and 1 <= level <= len(names) else f"{level}/{levels}"


def _bad(code: str, message: str, **details) -> InvalidRequest:
    return InvalidRequest(code, message, **details)


def _day(text: str, which: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise _bad("invalid_date", f"Ngày {which} “{text}” không hợp lệ: hãy viết theo dạng năm-tháng-ngày, "
                   "ví dụ 2026-11-30.", field=which) from None


def parse_filters(args: dict, settings: Settings, today: date) -> dict:
    """The report's filters from request parameters (strings); InvalidRequest (400) for anything wrong.

    from/to: local dates, inclusive (default: the 1st of this month to today); service (a thủ tục code),
    group (a lĩnh vực id), counter, clerk (a user name), priority (a priority group id, or "none"), channel.
    """
    unknown = sorted(set(args) - set(FILTER_KEYS))
    if unknown:
        raise _bad("unknown_filter", f"Bộ lọc không hợp lệ: {', '.join(unknown)}. Các bộ lọc có: "
                   f"{', '.join(FILTER_KEYS)}.", filters=", ".join(unknown))
    values = {key: str(value).strip() for key, value in args.items() if str(value).strip() != ""}
    day_to = _day(values["to"], "đến") if "to" in values else today
    day_from = _day(values["from"], "từ") if "from" in values else day_to.replace(day=1)
    if day_from > day_to:
        raise _bad("dates_reversed", f"Ngày bắt đầu ({day_from:%d/%m/%Y}) sau ngày kết thúc ({day_to:%d/%m/%Y}).")
    if (day_to - day_from).days + 1 > MAX_DAYS:
        raise _bad("range_too_long", f"Khoảng thời gian quá dài ({(day_to - day_from).days + 1} ngày): một báo cáo "
                   f"tối đa {MAX_DAYS} ngày (2 năm).")
    filters = {"day_from": day_from.isoformat(), "day_to": day_to.isoformat(), "services": None,
               "service": values.get("service"), "group": values.get("group"),
               "counter": values.get("counter"), "clerk": values.get("clerk"), "priority": None,
               "channel": values.get("channel")}
    if filters["service"] is not None and filters["service"] not in settings.services:
        raise _bad("unknown_service", f"Không có thủ tục “{filters['service']}”.")
    if filters["group"] is not None and filters["group"] not in settings.groups:
        raise _bad("unknown_group", f"Không có lĩnh vực “{filters['group']}”.")
    if filters["counter"] is not None and filters["counter"] not in settings.counters:
        raise _bad("unknown_counter", f"Không có quầy “{filters['counter']}”.")
    if filters["clerk"] is not None and len(filters["clerk"]) > 64:
        raise _bad("invalid_clerk", "Tên cán bộ quá dài.")
    if "priority" in values:
        if values["priority"] != NO_PRIORITY and values["priority"] not in settings.priority_groups:
            raise _bad("unknown_priority", f"Không có nhóm ưu tiên “{values['priority']}”.")
        filters["priority"] = "" if values["priority"] == NO_PRIORITY else values["priority"]
    if filters["channel"] is not None and not CHANNEL.match(filters["channel"]):
        raise _bad("invalid_channel", f"Kênh lấy số “{filters['channel']}” không hợp lệ.")
    if filters["service"] is not None or filters["group"] is not None:
        filters["services"] = [code for code, service in settings.services.items()
                               if filters["service"] in (None, code) and filters["group"] in (None, service.group)]
    return filters


def day_filters(day: str) -> dict:
    """The filters of one whole day and nothing else (the public board)."""
    return {"day_from": day, "day_to": day, "services": None, "counter": None, "clerk": None,
            "priority": None, "channel": None}


def fold(settings: Settings):
    """The fold the summary table is written with: one ticket's events → its facts (core/report_facts.py)."""
    hours, zone = settings.hours, settings.centre.timezone

    def fold_ticket(ticket_events, clerk_at):
        return ticket_facts(ticket_events, hours, zone, clerk_at)

    return fold_ticket


def catch_up(path: str, settings: Settings) -> int:
    """Fold every event not yet in the summary table; returns how many."""
    return table.catch_up(path, fold(settings))


# --- figures -------------------------------------------------------------------------------------
def time_figures(values: list[float]) -> dict:
    """Minutes: count, mean, median, p90 (nearest rank: the smallest value ≥ 90 % of them), max."""
    if not values:
        return {"count": 0, "mean": None, "median": None, "p90": None, "max": None}
    count = len(values)
    return {"count": count, "mean": sum(values) / count / 60, "median": statistics.median(values) / 60,
            "p90": values[math.ceil(0.9 * count) - 1] / 60, "max": values[-1] / 60}


def _add(into: dict, key, sums) -> None:
    row = into.get(key)
    if row is None:
        into[key] = list(sums)
    else:
        for index, value in enumerate(sums):
            row[index] += value


def figures(sums) -> dict:
    """A row of the report from its sums (table.SUMS): counts, mean times in minutes, shares in 0…1."""
    s = dict(zip(table.SUMS, sums))
    ratio = (lambda top, bottom: top / bottom if bottom else None)
    return {"issued": s["issued"], "served": s["served"], "no_show": s["no_show"], "cancelled": s["cancelled"],
            "expired": s["expired"], "transferred": s["transferred"], "called": s["waits"],
            "mean_wait": ratio(s["wait_sum"], s["waits"] * 60), "within": s["within"],
            "within_share": ratio(s["within"], s["waits"]), "mean_walk": ratio(s["walk_sum"], s["walks"] * 60),
            "mean_service": ratio(s["service_sum"], s["services"] * 60), "rated": s["rated"],
            "satisfied": s["satisfied"], "satisfied_share": ratio(s["satisfied"], s["rated"])}


def build_report(path: str, settings: Settings, filters: dict, lang: str = "vi", *, catch_up_first: bool = True) -> dict:
    """The whole report for the filters (README "Reports" defines every figure)."""
    if catch_up_first:
        catch_up(path, settings)
    target = settings.policy.wait_target_minutes
    empty = [0] * len(table.SUMS)
    with table.connect(path) as connection:
        satisfied = satisfied_levels(settings)
        detail = table.cells(connection, filters, target * 60, "detail", satisfied)
        clock = table.cells(connection, filters, target * 60, "clock", satisfied)
        times = {name: time_figures(table.sorted_times(connection, filters, column))
                 for name, column in (("wait", "wait"), ("walk", "walk"), ("service", "service_time"))}
        levels = table.rating_levels(connection, filters)
    dims = {name: {} for name in ("day", "service", "group", "counter", "clerk", "month")}
    total = list(empty)
    for day, service, counter, clerk, *sums in detail:
        _add(dims["day"], day, sums)
        _add(dims["month"], day[:7], sums)
        _add(dims["service"], service, sums)
        known = settings.services.get(service)
        _add(dims["group"], known.group if known else "", sums)
        if counter is not None:
            _add(dims["counter"], counter, sums)
        if clerk is not None:
            _add(dims["clerk"], clerk, sums)
        for index, value in enumerate(sums):
            total[index] += value
    hours, heat = {}, {}
    for weekday, hour, *sums in clock:
        _add(hours, hour, sums)
        heat[f"{weekday}-{hour}"] = figures(sums)
    summary = figures(total)
    named = _namer(settings, lang)
    report = {
        "from": filters["day_from"], "to": filters["day_to"], "filters": _shown_filters(filters),
        "target_minutes": target, "totals": summary, "times": times,
        "qd468": {"target_minutes": target, "mean_wait": summary["mean_wait"], "within": summary["within"],
                  "called": summary["called"], "within_share": summary["within_share"],
                  "met": summary["mean_wait"] is not None and summary["mean_wait"] <= target},
        "days": [{"key": key, "name": key, **figures(sums)} for key, sums in sorted(dims["day"].items())],
        "months": [{"key": key, "name": key, **figures(sums)} for key, sums in sorted(dims["month"].items())],
        "hours": [{"key": hour, "name": f"{hour:02d}:00", **figures(sums)} for hour, sums in sorted(hours.items())],
        "heatmap": {"weekdays": sorted({int(key.split("-")[0]) for key in heat}),
                    "hours": sorted(hours), "cells": heat},
        "satisfaction": {"rated": summary["rated"], "satisfied": summary["satisfied"],
                         "satisfied_share": summary["satisfied_share"],
                         "levels": [{"levels": n, "level": level, "name": level_name(level, n, lang, settings),
                                     "count": count}
                                    for n, level, count in levels]},
    }
    for dim in ("service", "group", "counter", "clerk"):
        rows = [{"key": key, "name": named(dim, key), **figures(sums)} for key, sums in dims[dim].items()]
        report[dim + "s"] = sorted(rows, key=_order(settings, dim))
    return report


def _order(settings: Settings, dim: str):
    position = {"service": list(settings.services), "group": list(settings.groups),
                "counter": list(settings.counters)}.get(dim)
    if position is None:
        return lambda row: str(row["key"])
    return lambda row: (position.index(row["key"]) if row["key"] in position else len(position), str(row["key"]))


def _namer(settings: Settings, lang: str):
    def name(dim: str, key):
        item = {"service": settings.services, "group": settings.groups, "counter": settings.counters}.get(dim, {}).get(key)
        if item is None:
            return key or ("(không rõ)" if lang != "en" else "(unknown)")
        return item.name_en if lang == "en" and getattr(item, "name_en", "") else item.name
    return name


def _shown_filters(filters: dict) -> dict:
    shown = {key: filters.get(key) for key in ("service", "group", "counter", "clerk", "channel")}
    priority = filters.get("priority")
    shown["priority"] = None if priority is None else (priority or NO_PRIORITY)
    return {key: value for key, value in shown.items() if value is not None}
