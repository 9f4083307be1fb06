""""Kết quả đã có": a dossier that became ready, by SMS and/or e-mail to the phone and address it carries.

Dossiers are the một cửa system's (store/dossiers.py, filled by imports in other processes or by HTTP
lookups); their hook `ready_since(store, since)` lists the dossiers that became ready after a time. This
task asks it every POLL_SECONDS, queues the messages (Notifications.result_ready: refs carry the
dossier's code and ready_at, so each readiness is told once, even when asked twice), then keeps the
newest ready_at in notify_cursors "dossiers_ready". On a centre's first start it looks back
FIRST_LOOK_BACK (the dossiers that became ready in the last day still get their message).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from datetime import datetime, timedelta

from store import outbox

from .outbox import stamp, utc_now

log = logging.getLogger(__name__)
CURSOR = "dossiers_ready"
POLL_SECONDS = 10.0
FIRST_LOOK_BACK = timedelta(days=1)
OVERLAP = timedelta(minutes=2)


class ResultMessages:
    """Polls the dossiers' hook and queues "kết quả đã có"."""

    def __init__(self, notifications, ready_since, start_task):
        self.notifications, self.ready_since = notifications, ready_since
        self.store = notifications.store
        self._start_task = start_task
        self._wake = threading.Event()
        self._stopped = False

    def start(self) -> "ResultMessages":
        self._start_task(self._run)
        return self

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def wake(self) -> None:
        """Look now (after an import in this process, or a test)."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped:
            try:
                self.round()
            except sqlite3.ProgrammingError:
                return  # the store was closed
            except Exception:
                log.exception("result-ready notifications round failed")
            self._wake.wait(POLL_SECONDS)
            self._wake.clear()

    def round(self) -> int:
        """Queue the messages of the dossiers that became ready since the last round; returns how many
        dossiers were handled."""
        with self.store.transaction() as tx:
            since = outbox.mark(tx.connection, CURSOR, stamp(utc_now() - FIRST_LOOK_BACK))
        # A little before the mark: an import stamps one ready_at on many dossiers in several transactions,
        # and a round between two of them must not lose the rest (the refs keep each message single).
        ready = self.ready_since(self.store, _before(since, OVERLAP))
        for dossier in ready:
            if dossier.get("phone") or dossier.get("email"):
                self.notifications.result_ready(code=dossier["code"], procedure=dossier["procedure"],
                                                note=dossier.get("note") or "", phone=dossier.get("phone"),
                                                email=dossier.get("email"), ready_at=dossier["ready_at"])
        if ready:
            with self.store.transaction() as tx:
                outbox.move_mark(tx.connection, CURSOR, ready[-1]["ready_at"], stamp(utc_now()))
        return len(ready)


def _before(moment: str, delta: timedelta) -> str:
    try:
        return stamp(datetime.fromisoformat(moment) - delta)
    except ValueError:
        return moment
