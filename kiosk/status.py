"""The phone's status page (the link in the ticket's QR code) and the QR code itself.

    GET /t/<token>          the page: number, service, status, people ahead, estimated wait, live;
                            a full-screen "Mời bạn đến quầy số 5" when called. Public: the token is
                            unguessable (128 random bits) and the page shows no personal data.
    GET /t/<token>/state    the same ticket as JSON (the page refreshes with it when the phone wakes)
    GET /t/<token>/qr.svg   the QR code of the page's address (the kiosk shows it on screen)
    GET /t/<token>/rating   whether the ticket may be rated now / was rated, and the levels and reasons
    POST /t/<token>/rating  {"level", "reasons"}: the citizen's one rating, once the ticket is done
                            (core/rating.py; the public listener lets exactly these two through)

Kept under 100 KB in total: no web font (system fonts only), socket.io's client is the biggest part.
"""

from __future__ import annotations

import qrcode
from flask import Blueprint, Response, current_app, jsonify, render_template, request, url_for
from markupsafe import escape

from api import centre
from api.auth import require_phone_write
from api.routes import body
from core.errors import QueueError
from core.rating import Ratings
from i18n import language, words
import wording

from .words import STATUS_WORDS

blueprint = Blueprint("status", __name__, template_folder="templates")  # its CSS and JS: /kiosk-static/



def _ticket(token: str) -> dict | None:
    """The ticket for a status-page token, or None (the page answers its own 404; the JSON routes let
    engine.ticket_for_token's NotFound reach app.py's error handler)."""
    try:
        return centre().engine.ticket_for_token(token)
    except QueueError:
        return None


@blueprint.get("/t/<token>")
def page(token: str):
    """The status page, drawn from the ticket's current state, then kept live by static/status.js."""
    lang = language()
    settings = centre().settings
    ticket = _ticket(token)
    if ticket is None:
        response = Response(render_template("kiosk/status_missing.html", lang=lang,
                                            w=words(STATUS_WORDS, lang)), 404)
    else:
        config = {"token": token, "lang": lang, "ticket": ticket, "stateUrl": url_for(".state", token=token),
                  "returnMinutes": settings.policy.no_show_return_minutes,
                  "ratingUrl": url_for(".rating", token=token),
                  "timezone": settings.centre.timezone.key, "words": words(STATUS_WORDS, lang),
                  "waitWords": wording.catalogue(lang), "phoneUrl": url_for(".leave_phone", token=token),
                  **_phone_field(ticket)}
        wait = (wording.wait_words(ticket["position"], ticket["eta_minutes"], lang, low=ticket.get("eta_low"),
                                   high=ticket.get("eta_high"))
                if ticket.get("position") is not None else None)
        response = Response(render_template(
            "kiosk/status.html", lang=lang, w=config["words"], ticket=ticket, config=config, wait=wait,
            centre_name=settings.centre.name_en if lang == "en" else settings.centre.name,
            other_lang="vi" if lang == "en" else "en", connection_lost_text=config["words"]["connection_lost"]))
    response.headers["Cache-Control"] = "no-store"  # always today's state, never a cached one
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is the only key to this page
    if request.args.get("lang") in ("vi", "en"):
        response.set_cookie("lang", request.args["lang"], max_age=365 * 24 * 3600, samesite="Lax")
    return response


def _phone_field(ticket: dict) -> dict:
    """Whether the page offers the phone field ([notify.sms] configured) and the number left, masked."""
    notifications = current_app.extensions.get("xephang_notify")
    if notifications is None or not notifications.phones:
        return {"phones": False, "phoneMasked": None}
    return {"phones": True, "phoneMasked": notifications.phone_masked(ticket["id"]),
            "smsAhead": centre().settings.notify.ahead}


@blueprint.get("/t/<token>/state")
def state(token: str):
    response = jsonify(centre().engine.ticket_for_token(token))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/t/<token>/rating")
def rating(token: str):
    """{"open", "rated", "levels", "reasons", "reasons_from_level"}: what the page's rating card shows."""
    answer = Ratings(centre().engine).phone_state(token) | centre().settings.rating.as_json(language())
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.post("/t/<token>/rating")
def rate(token: str):
    """The citizen's rating from the phone: once per ticket, after it is done, on its own day."""
    require_phone_write()
    data = body({"level": (int,), "reasons": (list,)}, required=("level",))
    rated = Ratings(centre().engine).rate_by_phone(token, data["level"], data.get("reasons"))
    return jsonify({"level": rated["level"], "levels": rated["levels"]}), 201


@blueprint.get("/t/<token>/qr.svg")
def qr_code(token: str):
    ticket = centre().engine.ticket_for_token(token)
    response = Response(qr_svg(ticket["status_url"]), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=86400"  # the address never changes
    return response


def qr_svg(text: str, quiet_zone: int = 4) -> str:
    """A QR code as a small SVG: one path of horizontal runs, crisp edges, white quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix) + 2 * quiet_zone
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append(f"M{start + quiet_zone} {y + quiet_zone}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" shape-rendering="crispEdges">'
            f'<title>{escape(text)}</title><rect width="{size}" height="{size}" fill="#fff"/>'
            f'<path fill="#000" d="{"".join(runs)}"/></svg>')
