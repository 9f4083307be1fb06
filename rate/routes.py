"""The counter's rating screen (issue 12 item 1): a tablet beside the counter, facing the citizen.

    GET  /rate/<counter>           the screen; pair it once with ?token=TOKEN of `add-device rating <counter>`
                                   (kept in the browser's localStorage, then removed from the address)
    GET  /rate/<counter>/state     that counter's rating device: counter, clerk, levels, reasons, and the
                                   question to ask now (`pending`: the ticket just finished there) or null
    POST /rate/<counter>/ratings   that device: {"ticket", "level", "reasons"} → 201 the rating (no details)

Only the rating device paired with the counter may ask or send (api/auth.py require_rating_device): the
clerk's own session or counter token may not, so nobody at the desk can rate for the citizen or read back
how a citizen rated.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, url_for

from api import centre
from api.auth import require_rating_device
from api.routes import body
from core.errors import NotFound
from core.rating import Ratings
from i18n import language, words

from .words import RATE_WORDS

blueprint = Blueprint("rate", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/rate-static")


def _counter(counter_id: str):
    counter = centre().settings.counters.get(counter_id)
    if counter is None:
        raise NotFound("counter_not_found", f"Không có quầy “{counter_id}”.", counter=counter_id)
    return counter


@blueprint.get("/rate/<counter_id>")
def screen(counter_id: str):
    """The screen. Public HTML: it shows nothing but the pairing hint until it holds the device token."""
    settings = centre().settings
    lang = language()
    counter = settings.counters.get(counter_id)
    if counter is None:
        return render_template("rate/missing.html", lang=lang, w=words(RATE_WORDS, lang),
                               counters=settings.counters.values()), 404
    config = {"counter": counter.id, "stateUrl": url_for(".state", counter_id=counter.id),
              "ratingsUrl": url_for(".ratings", counter_id=counter.id),
              "pageUrl": url_for(".screen", counter_id=counter.id, _external=True),
              "words": {code: words(RATE_WORDS, code) for code in ("vi", "en")}}
    return render_template("rate/screen.html", lang="vi", w=config["words"]["vi"], config=config,
                           counter_name=counter.name, connection_lost_text=config["words"]["vi"]["connection_lost"])


@blueprint.get("/rate/<counter_id>/state")
def state(counter_id: str):
    """Everything the screen draws; fetched on load and whenever the feed says this counter changed."""
    require_rating_device(counter_id)
    counter = _counter(counter_id)
    engine = centre().engine
    options = centre().settings.rating
    response = jsonify({"counter": counter.id, "counter_name": counter.name, "clerk": engine.clerk_at(counter.id),
                        "rating": {code: options.as_json(code) for code in ("vi", "en")},
                        "pending": Ratings(engine).pending(counter.id),
                        "keypads": current_app.extensions["xephang_raters"].statuses(counter.id)})
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/rate/<counter_id>/ratings")
def ratings(counter_id: str):
    """The citizen's answer for the ticket just finished at this counter."""
    caller = require_rating_device(counter_id)
    _counter(counter_id)
    data = body({"ticket": (int,), "level": (int,), "reasons": (list,)}, required=("ticket", "level"))
    rated = Ratings(centre().engine).rate_at_counter(counter_id, data["ticket"], data["level"],
                                                     data.get("reasons"), actor=caller.actor)
    return jsonify(rated), 201
