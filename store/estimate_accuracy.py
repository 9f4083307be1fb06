"""The rows behind the estimate's accuracy report (core/estimate_accuracy.py): per ticket, what was printed
and when it was first called.

Read with the reports' own connection (store/report_facts.py `connect`), after the summary table has caught
up with the log: the filters are the reports' (day of issue, thủ tục, counter, …), applied to report_facts.
"""

from __future__ import annotations

from .report_facts import _where

ROWS_SQL = """
SELECT f.day, i.service, f.status, i.at,
       json_extract(i.details, '$.estimate.minutes'),
       (SELECT min(c.at) FROM events AS c WHERE c.ticket_id = f.ticket_id AND c.kind = 'called')
FROM (SELECT ticket_id, day, status FROM report_facts WHERE {where}) AS f
JOIN events AS i ON i.ticket_id = f.ticket_id AND i.kind = 'issued'
WHERE json_type(i.details, '$.estimate') = 'object'
"""


def estimate_rows(connection, filters: dict) -> list[tuple]:
    """(day, thủ tục at issue, last state, issued at, printed minutes or None, first call at or None) of every
    filtered ticket that stored a printed estimate (tickets issued before the estimate was stored have none)."""
    where, params = _where(filters)
    return connection.execute(ROWS_SQL.format(where=where), params).fetchall()
