"""How the catalogue pages (thủ tục, quầy, giờ làm việc, chính sách) take a change: from a plain HTML form
or a JSON body, answered as a redirect back to the page or as JSON; a refused change (core.catalogue
FieldErrors) shows every field's Vietnamese message next to that field, and nothing was written.
"""

from __future__ import annotations

from flask import current_app, jsonify, redirect, request, url_for

from core.catalogue_rules import FieldErrors

from .console import render, wants_json
from .csrf import FIELD


def catalogue():
    """The running centre's core.catalogue.Catalogue (app.py)."""
    return current_app.extensions["xephang_catalogue"]


def sent(lists: tuple[str, ...] = ()) -> dict:
    """What the form or the JSON body sent, without the CSRF field; `lists` are multi-value form fields."""
    if request.is_json:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {"": None}
    data = {key: value for key, value in request.form.items() if key != FIELD}
    for key in lists:
        data[key] = request.form.getlist(key)
    return data


def sessions_of(text) -> list[str] | object:
    """"07:30-11:30, 13:30-17:00" typed in a form as a list; a JSON list passes through unchanged."""
    if isinstance(text, str):
        return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]
    return text


def done(endpoint: str, answer: dict, **values):
    """A change went through: JSON for programs, back to the page (with a "saved" note) for browsers."""
    if wants_json():
        return jsonify(answer)
    return redirect(url_for(endpoint, saved=1, **values) + (f"#{values['anchor']}" if "anchor" in values else ""))


def refused_form(error: FieldErrors, form: str, data: dict, page):
    """A refused change: 400 JSON {error, message, fields}, or the page again with the messages."""
    if wants_json():
        return jsonify({"error": error.code, "message": error.message, "fields": error.fields}), 400
    return page(status=400, form=form, errors=error.fields, values=data)


def page_renderer(template: str, words_of: dict, context):
    """A function (status, form, errors, values) → the page, so a refused form re-renders it."""
    def page(status: int = 200, form: str | None = None, errors: dict | None = None, values: dict | None = None):
        return render(template, words_of=words_of, status=status, form=form, errors=errors or {},
                      values=values or {}, saved=request.args.get("saved") == "1", **context())
    return page


__all__ = ["FieldErrors", "catalogue", "done", "page_renderer", "refused_form", "sent", "sessions_of"]
