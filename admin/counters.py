"""Quầy (issue 11, "The console"): name, the thủ tục each serves (effective on its next call, no restart),
priority counter flag; live actions: pause / resume, free a counter a clerk left signed in.

Managers may do all of it (counter assignments are running the day); the live actions are the queue's
own (core/counters.py), logged with the manager or admin as actor.
"""

from __future__ import annotations

from flask import request

from api import centre

from .catalogue_words import WORDS
from .console import blueprint, nav, viewer, writer
from .edits import FieldErrors, catalogue, done, page_renderer, refused_form, sent

RUNNERS = ("admin", "manager")

nav("counters", "admin.counters_page", roles=RUNNERS)


def _context():
    engine = centre().engine
    settings = engine.settings
    with engine.store.read() as tx:
        states = tx.all_counter_states()
    rows = []
    for counter in settings.counters.values():
        state = states.get(counter.id, {})
        rows.append({"counter": counter, "paused": bool(state.get("paused")), "clerk": engine.clerk_at(counter.id)})
    return {"rows": rows, "services": list(settings.services.values()), "groups": settings.groups}


_page = page_renderer("admin/counters.html", WORDS, _context)


@blueprint.get("/counters")
def counters_page():
    viewer(*RUNNERS)
    return _page()


@blueprint.post("/counters/<counter_id>")
def counters_edit(counter_id: str):
    """Name, thủ tục served (`services`, several) and `priority`."""
    caller = writer(*RUNNERS)
    data = sent(lists=("services",))
    if not request.is_json:  # an unticked checkbox sends nothing
        data["priority"] = data.get("priority") in ("on", "1", "true")
    try:
        catalogue().edit_counter(caller.actor, counter_id, data)
    except FieldErrors as error:
        return refused_form(error, f"counter-{counter_id}", data, _page)
    return done("admin.counters_page", {"ok": True}, anchor=f"counter-{counter_id}")


@blueprint.post("/counters/<counter_id>/pause")
def counters_pause(counter_id: str):
    caller = writer(*RUNNERS)
    sent()
    view = centre().engine.set_paused(counter_id, True, actor=caller.actor)
    return done("admin.counters_page", view, anchor=f"counter-{counter_id}")


@blueprint.post("/counters/<counter_id>/resume")
def counters_resume(counter_id: str):
    caller = writer(*RUNNERS)
    sent()
    view = centre().engine.set_paused(counter_id, False, actor=caller.actor)
    return done("admin.counters_page", view, anchor=f"counter-{counter_id}")


@blueprint.post("/counters/<counter_id>/free")
def counters_free(counter_id: str):
    """End the claim of a clerk who left the counter signed in (like server.py free-counter)."""
    caller = writer(*RUNNERS)
    sent()
    clerk = centre().engine.free_counter(counter_id, actor=caller.actor)
    return done("admin.counters_page", {"counter": counter_id, "freed": clerk}, anchor=f"counter-{counter_id}")
