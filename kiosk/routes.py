"""The kiosk screen (issue 3) and the kiosk's own data.

    GET  /kiosk/<kiosk id>                 the touch screen; pair it once with ?token=TOKEN (kept in the
                                           browser's localStorage, then removed from the address)
    GET  /kiosk/<kiosk id>/services        kiosk token or admin: groups, services with waiting / people
                                           ahead / estimated wait / available + reason, the printer's state
    POST /api/tickets/<ticket id>/reprint  the kiosk that issued the ticket, or an admin: print it again

The page takes numbers through POST /api/tickets with the kiosk's bearer token, like any device.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, url_for

from api import centre
from api.auth import require
from api.routes import body
from core import lifecycle
from core.errors import Conflict, NotAllowed, NotFound
from core.availability import calendar_view
from core.outlook import service_outlook
import wording
from i18n import language, words

from .words import KIOSK_WORDS

blueprint = Blueprint("kiosk", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/kiosk-static")
LARGEST_ID = 2**63 - 1
REPRINTS_PER_TICKET = 3  # "In lại" pressed again and again must not empty the roll



def printing():
    return current_app.extensions["xephang_kiosk"]


def _kiosk(kiosk_id: str):
    kiosk = centre().settings.kiosks.get(kiosk_id)
    if kiosk is None:
        raise NotFound("kiosk_not_found", f"Không có kiosk “{kiosk_id}” trong cấu hình.")
    return kiosk


@blueprint.get("/kiosk/<kiosk_id>")
def screen(kiosk_id: str):
    """The touch screen. Public: it shows nothing until the browser holds this kiosk's token."""
    settings = centre().settings
    kiosk = settings.kiosks.get(kiosk_id)
    if kiosk is None:
        lang = language()
        return render_template("kiosk/missing.html", lang=lang, w=words(KIOSK_WORDS, lang), kiosk_id=kiosk_id,
                               kiosks=settings.kiosks.values()), 404
    config = {
        "kiosk": kiosk.id,
        "servicesUrl": url_for(".services", kiosk_id=kiosk.id),
        "pageUrl": url_for(".screen", kiosk_id=kiosk.id, _external=True),
        "idleSeconds": settings.kiosk.idle_seconds,
        "timezone": settings.centre.timezone.key,
        "words": {lang: words(KIOSK_WORDS, lang) for lang in ("vi", "en")},
        "waitWords": {lang: wording.catalogue(lang) for lang in ("vi", "en")},
        # "Tra cứu hồ sơ" (kiosk/dossiers.py): shown only when [dossiers] has a source.
        "dossierUrl": url_for(".dossier", kiosk_id=kiosk.id) if settings.dossiers.enabled else None,
    }
    return render_template("kiosk/screen.html", lang="vi", w=config["words"]["vi"], config=config,
                           connection_lost_text=config["words"]["vi"]["connection_lost"])


@blueprint.get("/kiosk/<kiosk_id>/services")
def services(kiosk_id: str):
    """Everything the screen draws, fetched on load and again after queue changes (the feed says when)."""
    caller = require("kiosk", "admin", write=False)
    kiosk = _kiosk(kiosk_id)
    if caller.kind == "kiosk" and caller.id != kiosk.id:
        raise NotAllowed("wrong_kiosk", f"Mã này thuộc kiosk “{caller.id}”, không phải “{kiosk.id}”.")
    settings = centre().settings
    # A retired thủ tục is not offered any more (its open tickets still show at the counters).
    codes = [code for code, service in settings.services.items()
             if (not kiosk.services or code in kiosk.services) and not service.retired]
    outlook = service_outlook(centre().engine, codes)
    groups = [{"id": group.id, "name": group.name, "name_en": group.name_en,
               "services": [code for code in codes if settings.services[code].group == group.id]}
              for group in settings.groups.values()]
    return jsonify({
        "kiosk": {"id": kiosk.id, "name": kiosk.name},
        "centre": {"name": settings.centre.name, "name_en": settings.centre.name_en},
        "printer": printing().printer_state(kiosk.id),
        # Today's sessions or holiday and the next dated exceptions (set in the console: core/catalogue.py).
        "calendar": calendar_view(settings, centre().engine.clock.now().astimezone(settings.centre.timezone)),
        "priority_groups": [{"id": p.id, "name": p.name, "name_en": p.name_en}
                            for p in settings.priority_groups.values()],
        "groups": [group for group in groups if group["services"]],
        "services": [{"code": code, "name": settings.services[code].name,
                      "name_en": settings.services[code].name_en, "group": settings.services[code].group,
                      **outlook[code]} for code in codes],
    })


@blueprint.post(f"/api/tickets/<int(max={LARGEST_ID}):ticket_id>/reprint")
def reprint(ticket_id: int):
    """Print a ticket again on the printer of the kiosk that issued it (202: queued; the outcome comes
    through the feed as "printed" or "print_failed")."""
    caller = require("kiosk", "admin")
    body({})
    with centre().store.read() as tx:
        ticket = tx.ticket(ticket_id)
    if ticket is None:
        raise NotFound("ticket_not_found", "Không tìm thấy số thứ tự này.", ticket=ticket_id)
    if caller.kind == "kiosk" and caller.id != ticket["kiosk"]:
        raise NotAllowed("not_your_ticket", "Kiosk chỉ in lại số do chính kiosk đó cấp.")
    if ticket["kiosk"] is None:
        raise Conflict("not_from_a_kiosk", "Số này không được cấp tại kiosk nên không có máy in để in lại.")
    if ticket["status"] not in lifecycle.OPEN:
        raise Conflict("ticket_closed", "Số này đã xử lý xong, không cần in lại.", status=ticket["status"])
    reprints = printing().reprints
    if reprints.get(ticket_id, 0) >= REPRINTS_PER_TICKET:
        raise Conflict("reprint_limit", f"Số này đã được in lại {REPRINTS_PER_TICKET} lần. "
                       "Xin vui lòng hỏi cán bộ hướng dẫn.")
    if not printing().reprint(ticket_id, ticket["kiosk"]):
        raise Conflict("no_printer", "Kiosk này không có máy in.")
    reprints[ticket_id] = reprints.get(ticket_id, 0) + 1
    return jsonify({"ticket": ticket_id, "kiosk": ticket["kiosk"], "queued": True}), 202
