"""Chính sách (issue 11, "The console"): max recalls, priority streak, no-show return window, default
service minutes, wait target, long service limit. Admins only: these are the centre's rules, which the
monitor, the estimate and the reports all measure against.
"""

from __future__ import annotations

from api import centre
from core.catalogue_rules import POLICY_FIELDS

from .catalogue_words import WORDS
from .console import blueprint, nav, viewer, writer
from .edits import FieldErrors, catalogue, done, page_renderer, refused_form, sent

EDITORS = ("admin",)

nav("policy", "admin.policy_page", roles=EDITORS)


def _context():
    policy = centre().settings.policy
    return {"fields": [(name, label, getattr(policy, name), kind is float) for name, (label, _, _, kind)
                       in POLICY_FIELDS.items()]}


_page = page_renderer("admin/policy.html", WORDS, _context)


@blueprint.get("/policy")
def policy_page():
    viewer(*EDITORS)
    return _page()


@blueprint.post("/policy")
def policy_save():
    caller = writer(*EDITORS)
    data = sent()
    try:
        catalogue().set_policy(caller.actor, data)
    except FieldErrors as error:
        return refused_form(error, "policy", data, _page)
    return done("admin.policy_page", {"ok": True})
