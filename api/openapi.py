"""The OpenAPI 3.1 document served at GET /api/openapi.json, written by hand next to the routes it describes."""

from __future__ import annotations

ERROR = {"type": "object", "required": ["error", "message"],
         "properties": {"error": {"type": "string", "description": "machine-readable code, e.g. daily_cap_reached"},
                        "message": {"type": "string", "description": "Vietnamese text for people"}}}

TICKET = {"type": "object", "properties": {
    "id": {"type": "integer"}, "number": {"type": "string", "example": "A001"},
    "service": {"type": "string"}, "service_name": {"type": "string"}, "service_name_en": {"type": "string"},
    "priority": {"type": ["string", "null"]},
    "status": {"enum": ["waiting", "called", "serving", "done", "no_show", "transferred", "cancelled", "expired"]},
    "status_name": {"type": "string"},
    "position": {"type": ["integer", "null"], "description": "people ahead; null unless waiting"},
    "eta_minutes": {"type": ["integer", "null"], "description": "estimated wait; null unless waiting"},
    "counter": {"type": ["string", "null"]}, "counter_name": {"type": ["string", "null"]},
    "target_counter": {"type": ["string", "null"]}, "recalls": {"type": "integer"},
    "status_url": {"type": "string", "description": "the link printed in the ticket's QR code"},
    "day": {"type": "string", "format": "date"}, "issued_at": {"type": "string", "format": "date-time"},
    "arrived_at": {"type": "string"}, "called_at": {"type": ["string", "null"]},
    "started_at": {"type": ["string", "null"]}, "finished_at": {"type": ["string", "null"]},
    "history": {"type": "array", "items": {"type": "object"}}}}


DOSSIER = {"type": "object", "properties": {
    "code": {"type": "string", "example": "000.00.31.H99-261105-0017"}, "procedure": {"type": "string"},
    "group": {"type": "string", "description": "lĩnh vực, as the source names it"},
    "status": {"enum": ["processing", "supplement", "ready", "returned", "overdue"]},
    "status_name": {"type": "string", "example": "Đã có kết quả"},
    "received": {"type": "string", "format": "date"}, "due": {"type": "string", "format": "date"},
    "received_text": {"type": "string", "example": "05/11/2026"}, "due_text": {"type": "string"},
    "step": {"type": "string"}, "note": {"type": "string"},
    "masked_name": {"type": "string", "example": "N**** V** A*"},
    "next": {"type": "string", "description": "what to do next, in plain words"},
    "result_counter": {"type": "string", "description": "the result counter, when ready"},
    "ticket_service": {"type": "string", "description": "the thủ tục of the one-tap ticket, when ready"}}}


def _errors(*codes: int) -> dict:
    text = {400: "malformed body or unknown field", 401: "no or invalid credentials",
            403: "wrong role, device, counter or missing CSRF token", 404: "no such ticket or counter",
            409: "the queue's state refuses it (illegal transition, daily cap, busy counter, recall limit)",
            429: "this kiosk issued too many tickets just now (kiosk.rate_limit_*); see Retry-After",
            503: "the database, or the dossier source, cannot answer now; see Retry-After"}
    return {str(code): {"description": text[code], "content": {"application/json": {"schema": ERROR}}}
            for code in codes}


def _json(schema: dict) -> dict:
    return {"content": {"application/json": {"schema": schema}}}


def _op(summary: str, responses: dict, body: dict | None = None, security=True) -> dict:
    op = {"summary": summary, "responses": responses}
    if body is not None:
        op["requestBody"] = {"required": True, **_json(body)}
    if security:
        op["security"] = [{"device": []}, {"session": []}]
    return op


def openapi_document(settings) -> dict:
    """The API description; service codes and priority groups come from this centre's config."""
    ticket_id = {"name": "ticket_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    counter_id = {"name": "counter_id", "in": "path", "required": True,
                  "schema": {"enum": list(settings.counters)}}
    action = {"name": "action", "in": "path", "required": True,
              "schema": {"enum": ["recall", "start", "finish", "no-show", "transfer", "cancel", "return"]}}
    ok = {"200": {"description": "the ticket after the change", **_json(TICKET)}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Xếp Hàng API", "version": "1",
                 "description": "Queue system for a Vietnamese public administration centre. Devices send "
                                "`Authorization: Bearer TOKEN`; signed-in clerks send their session cookie "
                                "and `X-CSRF-Token` on every write."},
        "components": {"securitySchemes": {
            "device": {"type": "http", "scheme": "bearer"},
            "session": {"type": "apiKey", "in": "cookie", "name": "session"}},
            "schemas": {"Ticket": TICKET, "Error": ERROR}},
        "paths": {
            "/api/tickets": {"post": _op(
                "Take a number (kiosk)",
                {"201": {"description": "issued", **_json(TICKET)}, **_errors(400, 401, 403, 409, 429)},
                {"type": "object", "required": ["service"], "additionalProperties": False,
                 "properties": {"service": {"enum": list(settings.services)},
                                "priority": {"enum": [*settings.priority_groups, None]}}})},
            "/api/tickets/{ticket_id}": {"get": {
                **_op("A ticket with its history", {**ok, **_errors(401, 403, 404)}), "parameters": [ticket_id]}},
            "/api/tickets/{ticket_id}/{action}": {"post": {
                **_op("Recall, start, finish, mark no-show, transfer, cancel or return a ticket",
                      {**ok, **_errors(400, 401, 403, 404, 409)},
                      {"type": "object", "additionalProperties": False,
                       "description": "empty, except transfer: exactly one of service or counter, and a note",
                       "properties": {"service": {"type": "string"}, "counter": {"type": "string"},
                                      "note": {"type": "string"}}}),
                "parameters": [ticket_id, action]}},
            "/api/tickets/{ticket_id}/reprint": {"post": {  # kiosk/routes.py
                **_op("Print the ticket again on the printer of the kiosk that issued it (that kiosk, or an admin)",
                      {"202": {"description": "queued; the outcome arrives on the feed as printed or print_failed"},
                       **_errors(400, 401, 403, 404, 409)}),
                "parameters": [ticket_id]}},
            "/api/counters/{counter_id}/next": {"post": {
                **_op("Call the next ticket at this counter",
                      {**ok, "204": {"description": "nobody waits"}, **_errors(401, 403, 404, 409)}),
                "parameters": [counter_id]}},
            "/api/counters/{counter_id}/call": {"post": {
                **_op("Call a specific ticket (logged as out of order unless it is next anyway)",
                      {**ok, **_errors(400, 401, 403, 404, 409)},
                      {"type": "object", "required": ["ticket"], "additionalProperties": False,
                       "properties": {"ticket": {"type": "integer"}, "reason": {"type": "string"}}}),
                "parameters": [counter_id]}},
            "/api/counters/{counter_id}/pause": {"post": {
                **_op("Tạm nghỉ: stop calling, leave wait estimates", {"200": {"description": "counter"},
                                                                     **_errors(401, 403, 404, 409)}),
                "parameters": [counter_id]}},
            "/api/counters/{counter_id}/resume": {"post": {
                **_op("Tiếp tục", {"200": {"description": "counter"}, **_errors(401, 403, 404, 409)}),
                "parameters": [counter_id]}},
            "/api/counters/{counter_id}/waiting": {"get": {
                **_op("Tickets this counter may call, FIFO", {"200": {"description": "list of tickets"},
                                                               **_errors(401, 403, 404)}),
                "parameters": [counter_id]}},
            "/api/state": {"get": _op("Snapshot of the centre with its event seq",
                                      {"200": {"description": "seq, counters, waiting per service, recent calls"}},
                                      security=False)},
            "/api/session": {
                "post": _op("Sign in (optionally taking a counter)",
                            {"200": {"description": "user, counter and csrf_token"}, **_errors(400, 401, 403, 409)},
                            {"type": "object", "required": ["name", "password"], "additionalProperties": False,
                             "properties": {"name": {"type": "string"}, "password": {"type": "string"},
                                            "counter": {"type": ["string", "integer", "null"]}}},
                            security=False),
                "get": _op("Who is signed in", {"200": {"description": "user or null"}}, security=False),
                "delete": _op("Sign out and free the counter", {"204": {"description": "signed out"},
                                                                **_errors(401, 403)})},
            "/display/notice": {
                "get": _op("The scrolling notice of every display and of each display that has its own",
                           {"200": {"description": "all, displays, seq"}}, security=False),
                "put": _op("Set (or with \"\" remove) the notice of every display, or of one (admin)",
                           {"200": {"description": "display, text, seq"}, **_errors(400, 401, 403, 404)},
                           {"type": "object", "required": ["text"], "additionalProperties": False,
                            "properties": {"text": {"type": "string", "maxLength": 500},
                                           "display": {"enum": [*settings.displays, None]}}})},
            "/display/{display_id}/state.json": {"get": {
                **_op("A display's recent calls and notice", {"200": {"description": "seq, recent_calls, notice"},
                                                               **_errors(404)}, security=False),
                "parameters": [{"name": "display_id", "in": "path", "required": True,
                                "schema": {"enum": list(settings.displays)}}]}},
            "/display/{display_id}/board.json": {"get": {
                **_op("Today's public results for this display's thủ tục (issued, served, mean wait against "
                      "the target, share called within it, share satisfied), overall and per lĩnh vực; "
                      "nothing personal", {"200": {"description": "day, totals, groups, target_minutes"},
                                           **_errors(404)}, security=False),
                "parameters": [{"name": "display_id", "in": "path", "required": True,
                                "schema": {"enum": list(settings.displays)}}]}},
            "/display/audio/call/{seq}.json": {"get": {
                **_op("The call sentence as text", {"200": {"description": "seq, text, audio"}, **_errors(404)},
                      security=False),
                "parameters": [{"name": "seq", "in": "path", "required": True, "schema": {"type": "integer"}}]}},
            "/kiosk/{kiosk_id}/services": {"get": {
                **_op("What the kiosk screen draws: groups, services with waits, printer state (that kiosk, admin)",
                      {"200": {"description": "kiosk, centre, printer, priority_groups, groups, services"},
                       **_errors(401, 403, 404)}),
                "parameters": [{"name": "kiosk_id", "in": "path", "required": True,
                                "schema": {"enum": list(settings.kiosks)}}]}},
            "/counter/summary": {"get": _op(
                "The caller's counter: current ticket, today's work, scanners (counter token or clerk at it)",
                {"200": {"description": "now, counter, clerk, today, scanners"}, **_errors(401, 403, 404)})},
            "/counter/scan": {"post": _op(
                "What a keyboard-mode scanner typed at the caller's counter",
                {"200": {"description": "outcome (called, started, dossier, rejected), code, message, ticket, "
                                        "and for a dossier's receipt the dossier"},
                 **_errors(400, 401, 403, 404)},
                {"type": "object", "required": ["code"], "additionalProperties": False,
                 "properties": {"code": {"type": "string"}}})},
            "/rate/{counter_id}/state": {"get": {
                **_op("What the counter's rating screen draws: counter, clerk, levels, reasons, the question to "
                      "ask now, keypads (that counter's rating device)",
                      {"200": {"description": "counter, counter_name, clerk, rating, pending, keypads"},
                       **_errors(401, 403, 404)}),
                "parameters": [counter_id]}},
            "/rate/{counter_id}/ratings": {"post": {
                **_op("The citizen's rating of the ticket just finished at this counter (its rating device)",
                      {"201": {"description": "ticket_id, level, levels, channel"}, **_errors(400, 401, 403, 404, 409)},
                      {"type": "object", "required": ["ticket", "level"], "additionalProperties": False,
                       "properties": {"ticket": {"type": "integer"},
                                      "level": {"type": "integer", "minimum": 1, "maximum": settings.rating.levels},
                                      "reasons": {"type": "array", "uniqueItems": True,
                                                  "items": {"enum": [r.id for r in settings.rating.reasons]}}}}),
                "parameters": [counter_id]}},
            "/kiosk/{kiosk_id}/dossier": {"post": {  # kiosk/dossiers.py (issue 13)
                **_op("Tra cứu hồ sơ: a dossier's status for the citizen at this kiosk (that kiosk, admin); "
                      "400 code_too_long / code_invalid / code_checksum, 404 dossier_not_found, 429 lookup_slowed "
                      "after dossiers.failures_before_delay wrong codes, 503 source_busy / source_invalid",
                      {"200": {"description": "code, procedure, group, status, status_name, received, due, "
                                              "received_text, due_text, step, note, masked_name, next, "
                                              "result_counter, ticket_service", **_json(DOSSIER)},
                       **_errors(400, 401, 403, 404, 429, 503)},
                      {"type": "object", "required": ["code"], "additionalProperties": False,
                       "properties": {"code": {"type": "string", "description": "as scanned or typed"},
                                      "lang": {"enum": ["vi", "en"]}}}),
                "parameters": [{"name": "kiosk_id", "in": "path", "required": True,
                                "schema": {"enum": list(settings.kiosks)}}]}},
            "/display/{display_id}/dossiers.json": {"get": {  # display/dossier_board.py (issue 13)
                **_op("The lobby's dossier results: this month and this year, totals and per lĩnh vực "
                      "(received, resolved, early / on time / late counts and shares, overdue_open), with "
                      "refreshed_at and imported_at; nothing personal",
                      {"200": {"description": "month, year ({prefix, totals, groups}), refreshed_at, imported_at, "
                                              "refresh_seconds, source, source_error (the figures are the last "
                                              "good ones when the summary endpoint failed)"},
                       **_errors(404, 503)}, security=False),
                "parameters": [{"name": "display_id", "in": "path", "required": True,
                                "schema": {"enum": list(settings.displays)}}]}},
            "/counter/dossier": {"post": _op(
                "A dossier's status for the caller's counter (after its scanner read a receipt); same answers "
                "as the kiosk's lookup",
                {"200": {"description": "the dossier as the citizen sees it", **_json(DOSSIER)},
                 **_errors(400, 401, 403, 404, 429, 503)},
                {"type": "object", "required": ["code"], "additionalProperties": False,
                 "properties": {"code": {"type": "string"}}})},
            "/api/openapi.json": {"get": _op("This document", {"200": {"description": "OpenAPI 3.1"}},
                                             security=False)},
        },
    }
