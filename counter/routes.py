"""The counter terminal's pages and the two JSON calls only it needs (issue 4).

    GET  /counter/login     sign-in page: name, password, counter (signs in through POST /api/session)
    GET  /counter           the clerk's screen (a clerk signed in at a counter, else → /counter/login)
    GET  /counter/summary   this counter now: its current ticket, today's served list and figures, scanners
    POST /counter/scan      what a USB scanner in keyboard mode typed on the page: acted on like a serial scan
    POST /counter/dossier   {"code"}: a dossier's status for the clerk (after a serial scan of its receipt)

Every other action goes through the HTTP API (api/routes.py), so a hardware call button or another system
drives a counter exactly as the page does. Writes need the session's CSRF token (X-CSRF-Token, sent by
static/api.js from the page's <meta name="csrf-token">), or a counter's bearer token.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, redirect, render_template, request, url_for

from api import centre
from api.auth import csrf_token, current_caller, require
from api.routes import body
from core.errors import NotAllowed
import wording
from i18n import LANGUAGES, language, name_of, words

from .words import WORDS

blueprint = Blueprint("counter", __name__, url_prefix="/counter", template_folder="templates",
                      static_folder="static", static_url_path="/static")
LONGEST_SCAN = 1024  # characters; a keyboard-mode scan longer than this is not a ticket (they are ~60)



def station():
    """The counter's ScannerStation (counter/__init__.py): scan rules and serial scanner states."""
    return current_app.extensions["xephang_scanners"]


def _signed_in_clerk():
    """The clerk working a counter in this browser, or None (anonymous, admin, no counter, counter taken)."""
    caller = current_caller()
    working = caller is not None and caller.kind == "clerk" and caller.counter in centre().settings.counters
    return caller if working else None  # (a counter removed from config.toml since sign-in counts as none)


def _page(template: str, **context):
    """Render in the request's language; `?lang=` is remembered in a cookie for the next pages."""
    lang = language()
    response = make_response(render_template(template, lang=lang, w=words(WORDS, lang),
                                             connection_lost_text=words(WORDS, lang)["connection_lost"], **context))
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie("lang", request.args["lang"], max_age=365 * 24 * 3600, samesite="Strict")
    response.headers["Cache-Control"] = "no-store"  # the page carries the session's CSRF token
    return response


@blueprint.get("/login")
def login():
    if _signed_in_clerk():
        return redirect(url_for("counter.screen"))
    settings = centre().settings
    with centre().store.read() as tx:
        staffed = {counter_id for counter_id, state in tx.all_counter_states().items() if state["clerk"]}
    counters = [{"id": c.id, "name": c.name, "staffed": c.id in staffed} for c in settings.counters.values()]
    return _page("counter/login.html", centre_name=_centre_name(), counters=counters,
                 chosen=request.args.get("counter", ""), ended=request.args.get("ended") == "1")


@blueprint.get("")
def screen():
    caller = _signed_in_clerk()
    if caller is None:
        return redirect(url_for("counter.login"))
    settings, lang = centre().settings, language()
    counter = settings.counters[caller.counter]
    config = {
        "counter": {"id": counter.id, "name": counter.name, "priority": counter.priority,
                    "services": [{"code": code, "name": name_of(settings.services[code], lang)}
                                 for code in counter.services]},
        "clerk": caller.id,
        "max_recalls": settings.policy.max_recalls,
        "timezone": settings.centre.timezone.key,
        "services": [{"code": s.code, "name": name_of(s, lang)} for s in settings.services.values()],
        "counters": [{"id": c.id, "name": c.name} for c in settings.counters.values() if c.id != counter.id],
        "priority_groups": {p.id: name_of(p, lang) for p in settings.priority_groups.values()},
        "kiosks": {k.id: k.name for k in settings.kiosks.values()},  # printer problems name their kiosk
        "words": words(WORDS, lang),
        "numberWords": wording.catalogue(lang),  # decimal comma in Vietnamese (static/wording.js)
    }
    return _page("counter/screen.html", centre_name=_centre_name(), counter=counter, clerk=caller.id,
                 config=config, csrf_token=csrf_token())


@blueprint.get("/summary")
def summary():
    caller = require("counter", "clerk", write=False)
    counter_id = _own_counter(caller)
    engine = centre().engine
    with centre().store.read() as tx:
        counter = engine.counter_view(tx, counter_id)
    return jsonify({"now": engine.clock.now().isoformat(timespec="milliseconds"), "counter": counter,
                    "clerk": caller.id if caller.kind == "clerk" else None,
                    "today": engine.counter_day(counter_id),
                    "scanners": station().statuses(counter_id)})


@blueprint.post("/scan")
def scan():
    caller = require("counter", "clerk")
    counter_id = _own_counter(caller)
    code = body({"code": (str,)}, required=("code",))["code"][:LONGEST_SCAN]
    return jsonify(station().rules.scan(counter_id, code, actor=caller.actor))


@blueprint.post("/dossier")
def dossier():
    """The citizen's view of a dossier, as the kiosk shows it (dossiers/desk.py), for this counter's screen."""
    caller = require("counter", "clerk")
    counter_id = _own_counter(caller)
    from dossiers import current_desk
    code = body({"code": (str,)}, required=("code",))["code"][:LONGEST_SCAN]
    return jsonify(current_desk().lookup(f"counter:{counter_id}", code, language()))


def _own_counter(caller) -> str:
    """The counter this caller works: its own, never one named in the request."""
    if caller.counter is None:
        raise NotAllowed("no_counter", "Hãy chọn quầy làm việc trước.")
    centre().engine.counter_settings(caller.counter)  # 404, not a 500, for a counter no longer in config.toml
    return caller.counter


def _centre_name() -> str:
    centre_settings = centre().settings.centre
    return centre_settings.name_en if language() == "en" else centre_settings.name
