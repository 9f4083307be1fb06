"""Kiosk "Tra cứu hồ sơ" (issue 13): the kiosk's JSON call for a dossier's status.

    POST /kiosk/<kiosk id>/dossier {"code"}   this kiosk's token (or an admin): the citizen's view of the
                                              dossier (dossiers/desk.py), or a refusal with a Vietnamese
                                              message: 400 code_*, 404 dossier_not_found, 429 lookup_slowed,
                                              503 source_busy / source_invalid

A POST, so the code (scanned or typed on the screen) is not written in access logs as an address.
"""

from __future__ import annotations

from flask import jsonify

from api.auth import require
from api.routes import body
from core.errors import NotAllowed
from dossiers import current_desk
from i18n import language

from .routes import _kiosk, blueprint

LONGEST_INPUT = 1024  # what a wedge scanner can type in one burst; the desk refuses overlong codes itself


@blueprint.post("/kiosk/<kiosk_id>/dossier")
def dossier(kiosk_id: str):
    """Look a dossier up for the citizen at this kiosk; wrong codes in a row slow this kiosk down."""
    caller = require("kiosk", "admin")
    kiosk = _kiosk(kiosk_id)
    if caller.kind == "kiosk" and caller.id != kiosk.id:
        raise NotAllowed("wrong_kiosk", f"Mã này thuộc kiosk “{caller.id}”, không phải “{kiosk.id}”.")
    code = body({"code": (str,), "lang": (str,)}, required=("code",))
    lang = code.get("lang") if code.get("lang") in ("vi", "en") else language()
    return jsonify(current_desk().lookup(f"kiosk:{kiosk.id}", code["code"][:LONGEST_INPUT], lang))
