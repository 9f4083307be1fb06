"""Every route of the app × every kind of caller has the outcome tests/web/role_rules.py says (issue 11).

The routes come from the app's own URL map, so a route without a rule fails here. Writes are sent with
the session's CSRF token and an empty JSON body: a caller who may use the route then gets past the role
check and is refused (or not) for the request itself, which counts as OK.
"""

from __future__ import annotations

import re

from tests.web.api_support import DISPLAY, KIOSK, ClerkClient, PASSWORDS, counter_token
from tests.web.role_rules import CALLERS, FORBIDDEN, LOGIN, OK, RULES, SAMPLES, UNAUTH

ROLE_REFUSALS = {"forbidden_role", "no_counter", "wrong_counter"}
SIGNED_IN = {"clerk": ("lan", "1"), "manager": ("quanly", None), "admin": ("admin", None)}
TOKENS = {"kiosk": KIOSK, "counter": counter_token("1"), "display": DISPLAY}


def routes(app) -> dict[str, str]:
    """{"METHOD rule": sample path} for every route and method of the app."""
    found = {}
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            path = re.sub(r"<(?:[^:<>]+:)?([a-z_]+)(?:\([^)]*\))?>", lambda m: SAMPLES[m.group(1)], rule.rule)
            found[f"{method} {rule.rule}"] = path
    return found


def outcome(response, method: str) -> str:
    if response.status_code == 401:
        return UNAUTH
    if response.status_code == 403 and _error_code(response) in ROLE_REFUSALS:
        return FORBIDDEN
    if method == "GET" and response.status_code in (302, 303) and "/login" in response.headers.get("Location", ""):
        return LOGIN
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    return OK


def _error_code(response) -> str | None:
    """The refusal's code: the JSON body's, or the console error page's <code id="error-code">."""
    if response.is_json:
        return response.get_json().get("error")
    found = re.search(r'id="error-code">([a-z_]+)<', response.get_data(as_text=True))
    return found.group(1) if found else None


class Callers:
    """One browser or token per kind of caller; a session that a route ended is signed in again."""

    def __init__(self, api):
        self.api = api
        self.clients = {}
        for caller in CALLERS:
            self.clients[caller] = ClerkClient(api.app.test_client())
        for caller in SIGNED_IN:
            self.sign_in(caller)

    def sign_in(self, caller: str) -> None:
        name, counter = SIGNED_IN[caller]
        client = self.clients[caller] = ClerkClient(self.api.app.test_client())
        assert client.sign_in(name, PASSWORDS[name], counter).status_code == 200

    def request(self, caller: str, method: str, path: str):
        client = self.clients[caller]
        # Pages are fetched as a browser does, writes sent as a program does.
        headers = {"Accept": "text/html" if method == "GET" else "application/json"}
        if caller in TOKENS:
            headers["Authorization"] = f"Bearer {TOKENS[caller]}"
        if client.csrf and method != "GET":
            headers["X-CSRF-Token"] = client.csrf
        body = {} if method in ("POST", "PUT", "PATCH", "DELETE") else None
        response = client.client.open(path, method=method, headers=headers, json=body)
        if caller in SIGNED_IN and method != "GET" and client.client.get("/api/session").get_json()["user"] is None:
            self.sign_in(caller)  # that route signed this caller out (sign-out): the next rule needs them in
        return response


def test_every_route_has_a_rule_and_no_rule_outlives_its_route(api):
    found = routes(api.app)
    missing = sorted(set(found) - set(RULES))
    assert missing == [], f"routes without a line in tests/web/role_rules.py: {missing}"
    stale = sorted(set(RULES) - set(found))
    assert stale == [], f"tests/web/role_rules.py names routes the app no longer has: {stale}"
    for key, rule in RULES.items():
        assert set(rule) - {"path"} == set(CALLERS), key


def test_every_route_answers_every_caller_as_its_rule_says(api):
    callers = Callers(api)
    found = routes(api.app)
    wrong = []
    for key, sample in sorted(found.items()):
        rule = RULES.get(key)
        if rule is None:
            continue  # reported by the test above
        method, path = key.split(" ", 1)[0], rule.get("path", sample)
        for caller in CALLERS:
            got = outcome(callers.request(caller, method, path), method)
            if got != rule[caller]:
                wrong.append(f"{key} as {caller}: expected {rule[caller]}, got {got}")
    assert wrong == [], "\n".join(wrong)
