"""The kinds of event the log records. Each state change appends exactly one, in the same transaction.

An event row is a small named record: {seq, at, actor, ticket_id, kind, counter, service, details}.
The audit trail and the realtime feed are the same rows.
"""

ISSUED = "issued"
CALLED = "called"            # details.out_of_order + reason when a clerk picked a specific ticket
RECALLED = "recalled"
STARTED = "started"
FINISHED = "finished"
NO_SHOW = "no_show"
RETURNED = "returned"        # a no-show came back within the window
TRANSFERRED = "transferred"
CANCELLED = "cancelled"
EXPIRED = "expired"
COUNTER_PAUSED = "counter_paused"
COUNTER_RESUMED = "counter_resumed"
CLERK_SIGNED_IN = "clerk_signed_in"
CLERK_SIGNED_OUT = "clerk_signed_out"

# Devices: not about a ticket's state, but screens must see them (a printer out of paper is not silent).
PRINTED = "printed"
PRINT_FAILED = "print_failed"
PRINTER_STATUS = "printer_status"
SCANNER_STATUS = "scanner_status"
SCAN_REJECTED = "scan_rejected"
DEVICE_EVENTS = (PRINTED, PRINT_FAILED, PRINTER_STATUS, SCANNER_STATUS, SCAN_REJECTED)

# Events that a lobby display announces.
ANNOUNCED = (CALLED, RECALLED)

# An admin changed the scrolling notice of the lobby displays (details: display or None for all, text).
NOTICE_CHANGED = "notice_changed"

# The database takes writes again after refusing some (busy: another process held the write lock; full:
# the disk). Appended by store/db.py (actor "system", no ticket) in the first transaction that commits;
# details: state, since, seconds, refused.
STORAGE_RECOVERED = "storage_recovered"

# A citizen rated a finished ticket (core/rating.py; details: level, levels, reasons, counter, clerk,
# service, channel). Anonymous on the feed: pushed without ticket or details.
RATED = "rated"
# A serial rating keypad ([[raters]]) disconnected or came back (details: status, message), like a scanner.
RATER_STATUS = "rater_status"
DEVICE_EVENTS = DEVICE_EVENTS + (RATER_STATUS,)

# A counter's serial scanner read a dossier's receipt (issue 13; details: dossier = its code, status). The
# counter's screen then asks POST /counter/dossier for the whole view. "dossier" is not a public detail.
DOSSIER_SCANNED = "dossier_scanned"
DEVICE_EVENTS = DEVICE_EVENTS + (DOSSIER_SCANNED,)
