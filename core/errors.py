"""Domain errors: a machine-readable code and a Vietnamese message for the person in front of the screen.

The web layer maps the kind of error to an HTTP status; core only says what went wrong.
"""

from __future__ import annotations


class QueueError(Exception):
    """Base class: `code` is stable for programs, `message` is Vietnamese for people."""

    status = 400  # the HTTP status the web layer should use for this kind of error

    def __init__(self, code: str, message: str, **details):
        super().__init__(message)
        self.code, self.message, self.details = code, message, details


class InvalidRequest(QueueError):
    """The request itself is wrong (missing field, wrong type, unknown service)."""

    status = 400


class NotAllowed(QueueError):
    """The caller may not do this (wrong role, another counter's ticket)."""

    status = 403


class NotFound(QueueError):
    """No such ticket or counter."""

    status = 404


class Conflict(QueueError):
    """The request is well formed but the queue's state refuses it (illegal transition, cap, busy counter)."""

    status = 409
