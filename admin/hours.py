"""Giờ làm việc (issue 11, "The console"): the weekly sessions and dated exceptions — ngày nghỉ lễ, a
làm bù working Saturday, a day closing early — shown on the kiosks and lobby displays; on a holiday the
kiosk takes no number (core/availability.py). Managers and admins.
"""

from __future__ import annotations

from api import centre
from core.catalogue_rules import WEEKDAY_NAMES_VI, session_text
from core.settings import WEEKDAYS

from .catalogue_words import WORDS
from .console import blueprint, nav, viewer, writer
from .edits import FieldErrors, catalogue, done, page_renderer, refused_form, sent, sessions_of

RUNNERS = ("admin", "manager")

nav("hours", "admin.hours_page", roles=RUNNERS)


def _context():
    settings = centre().settings
    today = catalogue().today().isoformat()
    weekly = {day: ", ".join(session_text(s) for s in settings.hours.weekly.get(index, ()))
              for index, day in enumerate(WEEKDAYS, start=1)}
    exceptions = [{"day": e.day, "kind": e.kind, "note": e.note, "note_en": e.note_en,
                   "sessions": ", ".join(session_text(s) for s in e.sessions), "past": e.day < today}
                  for _, e in sorted(settings.hours.exceptions.items())]
    return {"weekdays": [(day, WEEKDAY_NAMES_VI[day]) for day in WEEKDAYS], "weekly": weekly,
            "exceptions": exceptions, "today": today, "enforce": settings.hours.enforce}


_page = page_renderer("admin/hours.html", WORDS, _context)


@blueprint.get("/hours")
def hours_page():
    viewer(*RUNNERS)
    return _page()


@blueprint.post("/hours/weekly")
def hours_weekly():
    """Every weekday's sessions at once ("07:30-11:30, 13:30-17:00"; empty = closed)."""
    caller = writer(*RUNNERS)
    data = {day: sessions_of(value) for day, value in sent().items()}
    try:
        catalogue().set_weekly_hours(caller.actor, data)
    except FieldErrors as error:
        return refused_form(error, "weekly", sent(), _page)
    return done("admin.hours_page", {"ok": True}, anchor="weekly")


@blueprint.post("/hours/exceptions")
def hours_exception_add():
    """One dated exception: `day` YYYY-MM-DD, `kind` holiday | workday | short, `sessions`, `note`."""
    caller = writer(*RUNNERS)
    data = sent()
    if "sessions" in data:
        data["sessions"] = sessions_of(data["sessions"])
    try:
        catalogue().add_exception(caller.actor, data)
    except FieldErrors as error:
        return refused_form(error, "exception", sent(), _page)
    return done("admin.hours_page", {"ok": True}, anchor="exceptions")


@blueprint.post("/hours/exceptions/<day>/delete")
def hours_exception_remove(day: str):
    caller = writer(*RUNNERS)
    sent()
    catalogue().remove_exception(caller.actor, day)
    return done("admin.hours_page", {"ok": True}, anchor="exceptions")
