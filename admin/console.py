"""The console's frame: the shared blueprint, the role-filtered menu, page rendering, who may look or write.

Who may do what is decided by api/auth.py `require` (the one function every route of the app uses);
`viewer` and `writer` only add what a console page needs around it: an anonymous browser is sent to the
sign-in page instead of getting a bare 401, and every write is CSRF-checked (admin/csrf.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import (Blueprint, Flask, current_app, g, jsonify, make_response, redirect, render_template, request,
                   session, url_for)

from api import centre
from api.auth import Caller, Unauthenticated, csrf_token, current_caller, require
from core.errors import QueueError
from i18n import LANGUAGES, language, words
from store import access

from . import csrf
from .words import WORDS

blueprint = Blueprint("admin", __name__, url_prefix="/admin", template_folder="templates",
                      static_folder="static", static_url_path="/static")

CONSOLE_ROLES = ("admin", "manager")
# The menu's order, whatever order the page modules are imported in (issue 11, "The console").
NAV_ORDER = ("monitor", "catalogue", "counters", "hours", "policy", "notices", "reports", "notifications", "users",
             "devices", "history")


@dataclass(frozen=True)
class NavEntry:
    key: str                 # one of NAV_ORDER (its label is WORDS["nav_<key>"])
    endpoint: str            # e.g. "admin.users_page"
    roles: tuple[str, ...]   # who sees the link; the route itself checks again through viewer()/writer()


_nav: dict[str, NavEntry] = {}


def nav(key: str, endpoint: str, roles: tuple[str, ...] = CONSOLE_ROLES) -> None:
    """Put a page in the menu for `roles` (called once by each page module at import)."""
    _nav[key] = NavEntry(key, endpoint, tuple(roles))


def menu(role: str) -> list[NavEntry]:
    """The menu entries `role` may see, in NAV_ORDER."""
    order = {key: index for index, key in enumerate(NAV_ORDER)}
    visible = [entry for entry in _nav.values() if role in entry.roles]
    return sorted(visible, key=lambda entry: order.get(entry.key, len(order)))


def viewer(*roles: str) -> Caller:
    """The caller of a console page if its role is one of `roles` (401/403 otherwise; see the module doc)."""
    return require(*(roles or CONSOLE_ROLES), write=False)


def writer(*roles: str) -> Caller:
    """The caller of a console write if its role is one of `roles` and the request carries the CSRF token."""
    caller = require(*(roles or CONSOLE_ROLES), write=False)
    csrf.check()
    return caller


def form_data() -> dict:
    """A write's fields: the JSON body of a program, or the browser's form."""
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}
    return request.form.to_dict()


def notice(key: str, **params) -> None:
    """A success message for the next page this browser renders (after the write's redirect).

    `key` is a word of that page; a parameter named `x_key` is itself a word, shown as `x`."""
    session.setdefault("admin_notices", []).append([key, params])
    session.modified = True


def _notices(merged: dict) -> list[str]:
    shown = []
    for key, params in session.pop("admin_notices", []):
        values = {name.removesuffix("_key"): merged.get(value, value) if name.endswith("_key") else value
                  for name, value in params.items()}
        shown.append(merged.get(key, key).format(**values))
    return shown


def render(template: str, *, words_of: dict | None = None, status: int = 200, **context):
    """A console page in the request's language: the console's words plus the page's own (`words_of`)."""
    lang = language()
    merged = {**words(WORDS, lang), **(words(words_of, lang) if words_of else {})}
    caller = current_caller()
    role = caller.kind if caller is not None and not caller.is_device else None
    refusal = g.get("console_refusal")
    status = refusal.status if refusal is not None else status
    response = make_response(render_template(
        template, lang=lang, w=merged, caller=caller if role else None, menu=menu(role) if role else [],
        notices=_notices(merged) if role else [], refusal=refusal,
        typed=request.form if refusal is not None else {},
        csrf_token=csrf_token() if role else None, centre_name=_centre_name(lang),
        connection_lost_text=merged["connection_lost"], **context), status)
    if request.args.get("lang") in LANGUAGES:
        response.set_cookie("lang", request.args["lang"], max_age=365 * 24 * 3600, samesite="Strict")
    response.headers["Cache-Control"] = "no-store"  # pages carry the CSRF token, some a password shown once
    return response


def wants_json() -> bool:
    """A program (JSON body or Accept: application/json) rather than a browser page."""
    if request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


@blueprint.errorhandler(QueueError)
def refused(error: QueueError):
    """A refusal as JSON {error, message, field…} or as the console's error page, with the error's status."""
    if wants_json():
        details = {k: v for k, v in error.details.items() if isinstance(v, (str, int, float, bool, type(None)))}
        return jsonify({"error": error.code, "message": error.message, **details}), error.status
    if isinstance(error, Unauthenticated) and request.method == "GET":
        ended = "1" if error.code in ("session_ended", "session_expired") else ""
        return redirect(url_for("admin.sign_in_page", next=request.full_path.rstrip("?"), ended=ended or None))
    page = _page_of(request.path)
    if request.method == "POST" and error.status not in (401, 403) and page is not None:
        # A refused form: its page again, the message above it and what was typed still in the fields.
        g.console_refusal = error
        try:
            return current_app.view_functions[page.endpoint]()
        except QueueError:
            g.console_refusal = None  # that page is not this caller's either: the plain error page
    return render("admin/error.html", status=error.status, error=error,
                  back=url_for(page.endpoint) if page else url_for("admin.home_page"))


def _page_of(path: str) -> NavEntry | None:
    """The console page a write belongs to (/admin/users/add → the users page)."""
    for entry in _nav.values():
        page = url_for(entry.endpoint)
        if path == page or path.startswith(page + "/"):
            return entry
    return None


@blueprint.get("/login")
def sign_in_page():
    """The sign-in form for managers and admins; it signs in through POST /api/session
    (admin/static/admin-login.js)."""
    caller = current_caller()
    if caller is not None and caller.kind in CONSOLE_ROLES:
        return redirect(_safe_next())
    return render("admin/login.html", next=_safe_next(), ended=request.args.get("ended") == "1")


@blueprint.post("/logout")
def sign_out():
    """Sign out everywhere (like DELETE /api/session: the account's session version moves on)."""
    caller = writer(*CONSOLE_ROLES)
    access.end_sessions(centre().store, caller.id)
    session.clear()
    return redirect(url_for("admin.sign_in_page"))


def _safe_next() -> str:
    """Where to go after sign-in: a path of this console only (never another site: open redirect)."""
    target = request.args.get("next", "")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or target.startswith("/admin/login"):
        return url_for("admin.home_page")
    return target


def _centre_name(lang: str) -> str:
    settings = centre().settings.centre
    return settings.name_en if lang == "en" and settings.name_en else settings.name


def register(app: Flask) -> None:
    """Add the console blueprint (with every page module already imported) and the csrf_field() helper."""
    app.register_blueprint(blueprint)
    app.jinja_env.globals["csrf_field"] = csrf.field
