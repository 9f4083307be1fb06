"""Every response carries the security headers of app.py (README.md, "Security"): pages, files, JSON,
redirects and errors alike."""

from __future__ import annotations

import re

from app import SECURITY_HEADERS
from tests.web.api_support import KIOSK

SAMPLES = {"ticket_id": "1", "token": "AAAAAAAAAAAAAAAAAAAAAA", "action": "start", "counter_id": "1",
           "display_id": "display-1", "kiosk_id": "kiosk-1", "seq": "1", "filename": "xh.css",
           "code": "KS", "group_id": "ho-tich", "day": "2031-01-01"}


def test_the_policy_allows_only_this_server():
    policy = dict(part.split(" ", 1) for part in SECURITY_HEADERS["Content-Security-Policy"].split("; "))
    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == policy["connect-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert not [value for value in policy.values() if "unsafe" in value or "*" in value or "http" in value]
    assert SECURITY_HEADERS["X-Content-Type-Options"] == "nosniff"
    assert SECURITY_HEADERS["X-Frame-Options"] == "DENY"
    assert SECURITY_HEADERS["Referrer-Policy"] == "no-referrer"


def test_every_route_answers_with_the_security_headers(api):
    api.app.add_url_rule("/test-crash", "test_crash", lambda: 1 / 0)  # the 500 handler's answer too
    paths = {re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", lambda match: SAMPLES[match.group(1)], rule.rule):
             sorted(rule.methods - {"OPTIONS", "HEAD"})[0] for rule in api.app.url_map.iter_rules()}
    paths.update({"/no-such-page": "GET", "/api/no-such-thing": "GET", "/api/state": "DELETE"})
    statuses = set()
    for path, method in paths.items():
        for headers in ({}, {"Authorization": f"Bearer {KIOSK}"}):
            response = api.client.open(path, method=method, headers=headers)
            statuses.add(response.status_code)
            for name, value in SECURITY_HEADERS.items():
                assert response.headers.get(name) == value, (method, path, response.status_code, name)
    assert {200, 302, 401, 404, 405, 500} <= statuses  # every kind of answer was seen
