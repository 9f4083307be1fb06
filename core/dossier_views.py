"""What a citizen and the lobby board are told about dossiers (issue 13): plain words and figures.

`citizen_view` is the kiosk's and the counter's answer: the status in plain Vietnamese (or English), the
due date, what to do next, and only the masked name; never the phone, the e-mail or the full name.
`summarise` is the lobby board's: this month and this year, per lĩnh vực, dossiers received and resolved,
and the shares resolved early (before the due date), on time (on it) and late (after it).
"""

from __future__ import annotations

from .dossiers import (OVERDUE, PROCESSING, READY, RESOLVED, RETURNED, STATUS_NAMES_EN, STATUS_NAMES_VI,
                       SUPPLEMENT, shown_status)


def day_text(iso: str) -> str:
    """2026-11-05 → 05/11/2026, as Vietnamese papers write dates."""
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]}" if iso else ""


def _next_step(status: str, dossier: dict, counter: str, lang: str) -> str:
    due, resolved = day_text(dossier["due"]), day_text(dossier.get("resolved") or "")
    if lang == "en":
        return {
            READY: (f"Your result is ready. Please go to result counter {counter}." if counter
                    else "Your result is ready. Please go to the result counter."),
            PROCESSING: f"Your dossier is being processed. Expected result date: {due}. No need to queue today.",
            SUPPLEMENT: "More papers are needed. Please take a number for the same procedure and bring this receipt.",
            RETURNED: f"The result was handed over{(' on ' + resolved) if resolved else ''}. Nothing more to do.",
            OVERDUE: f"The result is late (due {due}). We apologise: please ask at the information desk for the new date.",
        }[status]
    return {
        READY: (f"Hồ sơ đã có kết quả. Mời ông/bà đến quầy trả kết quả số {counter}." if counter
                else "Hồ sơ đã có kết quả. Mời ông/bà đến bộ phận trả kết quả."),
        PROCESSING: f"Hồ sơ đang được giải quyết. Ngày hẹn trả kết quả: {due}. Ông/bà chưa cần đến quầy hôm nay.",
        SUPPLEMENT: "Hồ sơ cần bổ sung giấy tờ. Mời ông/bà lấy số thủ tục này và mang theo giấy hẹn để được hướng dẫn.",
        RETURNED: f"Kết quả đã được trả{(' ngày ' + resolved) if resolved else ''}. Ông/bà không cần làm gì thêm.",
        OVERDUE: f"Hồ sơ đã quá ngày hẹn trả ({due}). Trung tâm xin lỗi ông/bà; mời ông/bà hỏi quầy hướng dẫn "
                 "để biết lý do và ngày hẹn mới.",
    }[status]


def citizen_view(dossier: dict, today: str, *, result_counter: str = "", result_service: str = "",
                 lang: str = "vi") -> dict:
    """A dossier as the kiosk and the counter show it; nothing personal beyond the masked name."""
    status = shown_status(dossier, today)
    names = STATUS_NAMES_EN if lang == "en" else STATUS_NAMES_VI
    return {
        "code": dossier["code"], "procedure": dossier["procedure"], "group": dossier["group"],
        "status": status, "status_name": names[status],
        "received": dossier["received"], "due": dossier["due"], "received_text": day_text(dossier["received"]),
        "due_text": day_text(dossier["due"]), "step": dossier.get("step") or "", "note": dossier.get("note") or "",
        "masked_name": dossier.get("masked_name") or "",
        "next": _next_step(status, dossier, result_counter, lang),
        "result_counter": result_counter if status == READY else "",
        # The one-tap ticket: only when there is something to pick up and a thủ tục to queue for.
        "ticket_service": result_service if status == READY and result_service else "",
    }


def _timing(dossier: dict) -> str | None:
    """early | on_time | late for a resolved dossier with its date; None when we cannot tell."""
    resolved = dossier.get("resolved") or ""
    if dossier["status"] not in RESOLVED or not resolved:
        return None
    if resolved < dossier["due"]:
        return "early"
    return "on_time" if resolved == dossier["due"] else "late"


def _empty() -> dict:
    return {"received": 0, "resolved": 0, "early": 0, "on_time": 0, "late": 0, "overdue_open": 0}


def _shares(row: dict) -> dict:
    timed = row["early"] + row["on_time"] + row["late"]
    share = (lambda n: round(n / timed, 4)) if timed else (lambda n: None)
    return {**row, "early_share": share(row["early"]), "on_time_share": share(row["on_time"]),
            "late_share": share(row["late"])}


def summarise(dossiers, today: str) -> dict:
    """{"month": …, "year": …}, each {"totals", "groups": [{"name", …}]} (groups by received, biggest first).

    Received counts dossiers received in the period; resolved those whose result date is in it; early /
    on time / late split the resolved by result date against the due date; overdue_open counts the
    dossiers still open past their due date (whatever the period)."""
    periods = {"month": today[:7], "year": today[:4]}
    result = {}
    for period, prefix in periods.items():
        totals, groups = _empty(), {}
        for dossier in dossiers:
            row = groups.setdefault(dossier["group"], _empty())
            touched = False
            if dossier["received"].startswith(prefix):
                row["received"] += 1
                totals["received"] += 1
                touched = True
            timing = _timing(dossier)
            if dossier["status"] in RESOLVED and (dossier.get("resolved") or "").startswith(prefix):
                row["resolved"] += 1
                totals["resolved"] += 1
                touched = True
                if timing:
                    row[timing] += 1
                    totals[timing] += 1
            if shown_status(dossier, today) == OVERDUE:
                row["overdue_open"] += 1
                totals["overdue_open"] += 1
                touched = True
            if not touched and not any(row.values()):
                groups.pop(dossier["group"])
        ordered = sorted(groups.items(), key=lambda item: (-item[1]["received"], item[0]))
        result[period] = {"prefix": prefix, "totals": _shares(totals),
                          "groups": [{"name": name, **_shares(row)} for name, row in ordered]}
    return result


COUNTS = ("received", "resolved", "early", "on_time", "late")


def summary_from_counts(answer: dict, today: str) -> dict:
    """The board's figures from a source's own summary ({"month"|"year": {"groups": [{"name", received,
    resolved, early, on_time, late}]}}): totals and shares computed here, as for an import. Raises
    ValueError for anything else (a wrong shape, a negative or non-whole count)."""
    result = {}
    for period, prefix in (("month", today[:7]), ("year", today[:4])):
        groups = answer[period]["groups"]
        if not isinstance(groups, list):
            raise ValueError(f"{period}.groups is not a list")
        totals, rows = {**_empty()}, []
        for group in groups:
            name = group.get("name") if isinstance(group, dict) else None
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"{period}: a group without a name")
            row = _empty()
            for key in COUNTS:
                value = group.get(key, 0)
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise ValueError(f"{period}.{name}.{key}: not a whole number ≥ 0")
                row[key] = value
                totals[key] += value
            rows.append({"name": name.strip()[:200], **_shares(row)})
        result[period] = {"prefix": prefix, "totals": _shares(totals), "groups": rows}
    return result


__all__ = ["citizen_view", "summarise", "day_text", "PROCESSING", "SUPPLEMENT", "READY", "RETURNED"]
