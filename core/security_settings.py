"""Settings of sessions and sign-in: [security] (issue 8). Every key is optional.

A session is a signed cookie holding only the user's name, the account's session version and two times
(signed in, last seen); api/auth.py reloads the account on every request (README, "Security").
"""

from __future__ import annotations

from dataclasses import dataclass

from .config_reader import Table


@dataclass(frozen=True)
class Security:
    """[security]: how long sessions live and how hard sign-in may be tried."""
    session_hours: int = 10               # a shift: a session ends this long after sign-in, whatever happens
    session_idle_minutes: int = 60        # … or after this long without a request from that browser
    cookie_secure: bool = False           # send the session cookie over HTTPS only (set true behind TLS)
    signin_attempts_per_minute: int = 10  # per source address; more answer 429 (a script guessing passwords)
    signin_failures_to_lock: int = 5      # wrong passwords in a row for one name from one address → locked …
    signin_lock_minutes: int = 5          # … for this long (only from that address: strangers cannot lock a
                                          # clerk out of their own counter PC)
    signin_refusal_delay_ms: int = 1000   # a refused (429) attempt is answered this late: a script that
                                          # ignores Retry-After then costs the server almost nothing


def parse_security(t: Table) -> Security:
    """[security]; every key optional."""
    default = Security()
    security = Security(
        session_hours=t.integer("session_hours", default.session_hours, minimum=1, maximum=24),
        session_idle_minutes=t.integer("session_idle_minutes", default.session_idle_minutes, minimum=1,
                                       maximum=24 * 60),
        cookie_secure=t.boolean("cookie_secure", default.cookie_secure),
        signin_attempts_per_minute=t.integer("signin_attempts_per_minute", default.signin_attempts_per_minute,
                                             minimum=1, maximum=10_000),
        signin_failures_to_lock=t.integer("signin_failures_to_lock", default.signin_failures_to_lock,
                                          minimum=1, maximum=100),
        signin_lock_minutes=t.integer("signin_lock_minutes", default.signin_lock_minutes, minimum=1,
                                      maximum=24 * 60),
        signin_refusal_delay_ms=t.integer("signin_refusal_delay_ms", default.signin_refusal_delay_ms,
                                          minimum=0, maximum=10_000))
    t.finish()
    return security
