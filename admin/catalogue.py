"""Thủ tục and lĩnh vực (issue 11, "The console"): add and edit names (vi/en), prefix, width, first
number, daily cap, group; close a thủ tục for today with a reason the kiosk shows; retire one (never
deleted: tickets refer to it; its open tickets still show and can be finished).

Who: an admin edits the catalogue; a manager may also close and reopen a thủ tục for today (running the
day is a manager's job; what the centre offers is the admin's). Each change: core/catalogue.py (one
transaction + one admin_* event), effective at once in kiosks and counters.
"""

from __future__ import annotations

from .catalogue_words import WORDS
from .console import blueprint, nav, viewer, writer
from .edits import FieldErrors, catalogue, done, page_renderer, refused_form, sent
from api import centre

EDITORS = ("admin",)
RUNNERS = ("admin", "manager")  # open / close for today

nav("catalogue", "admin.catalogue_page", roles=RUNNERS)


def _context():
    settings = centre().settings
    today = catalogue().today().isoformat()
    return {"services": list(settings.services.values()), "groups": list(settings.groups.values()),
            "closed": settings.closures.get(today, {}), "open_tickets": catalogue().open_tickets(),
            "can_edit": viewer(*RUNNERS).kind in EDITORS, "today": today}


_page = page_renderer("admin/catalogue.html", WORDS, _context)


@blueprint.get("/catalogue")
def catalogue_page():
    """Every thủ tục by lĩnh vực, with today's state; forms to add and edit (admin)."""
    viewer(*RUNNERS)
    return _page()


@blueprint.get("/catalogue/services/<code>")
def catalogue_service_page(code: str):
    """The edit form of one thủ tục."""
    viewer(*EDITORS)
    service = centre().settings.services.get(code)
    if service is None:
        from core.errors import NotFound
        raise NotFound("service_not_found", f"Không có thủ tục “{code[:40]}”.")
    return _page(form=f"service-{code}", values=vars(service) | {"editing": code})


def _apply(form: str, change, data: dict, anchor: str = ""):
    try:
        change()
    except FieldErrors as error:
        return refused_form(error, form, data, _page)
    return done("admin.catalogue_page", {"ok": True}, **({"anchor": anchor} if anchor else {}))


@blueprint.post("/catalogue/groups")
def catalogue_group_add():
    caller = writer(*EDITORS)
    data = sent()
    return _apply("group-new", lambda: catalogue().add_group(caller.actor, data), data, "groups")


@blueprint.post("/catalogue/groups/<group_id>")
def catalogue_group_edit(group_id: str):
    caller = writer(*EDITORS)
    data = sent()
    return _apply(f"group-{group_id}", lambda: catalogue().edit_group(caller.actor, group_id, data), data, "groups")


@blueprint.post("/catalogue/services")
def catalogue_service_add():
    caller = writer(*EDITORS)
    data = sent()
    return _apply("service-new", lambda: catalogue().add_service(caller.actor, data), data, "add-service")


@blueprint.post("/catalogue/services/<code>")
def catalogue_service_edit(code: str):
    caller = writer(*EDITORS)
    data = sent()
    return _apply(f"service-{code}", lambda: catalogue().edit_service(caller.actor, code, data),
                  data | {"editing": code}, f"service-{code}")


@blueprint.post("/catalogue/services/<code>/close")
def catalogue_service_close(code: str):
    caller = writer(*RUNNERS)
    data = sent()
    return _apply(f"close-{code}", lambda: catalogue().close_service_today(caller.actor, code, data), data,
                  f"service-{code}")


@blueprint.post("/catalogue/services/<code>/open")
def catalogue_service_open(code: str):
    caller = writer(*RUNNERS)
    sent()
    return _apply(f"close-{code}", lambda: catalogue().open_service_today(caller.actor, code), {}, f"service-{code}")


@blueprint.post("/catalogue/services/<code>/retire")
def catalogue_service_retire(code: str):
    caller = writer(*EDITORS)
    sent()
    return _apply(f"retire-{code}", lambda: catalogue().retire_service(caller.actor, code, True), {},
                  f"service-{code}")


@blueprint.post("/catalogue/services/<code>/restore")
def catalogue_service_restore(code: str):
    caller = writer(*EDITORS)
    sent()
    return _apply(f"retire-{code}", lambda: catalogue().retire_service(caller.actor, code, False), {},
                  f"service-{code}")
