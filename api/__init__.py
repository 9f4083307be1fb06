"""The JSON HTTP API (`/api/...`): the one door every screen, device and other system uses to act."""

from flask import current_app


def centre():
    """The running centre of this request's app: settings, store, engine, socketio (app.py's Centre)."""
    return current_app.extensions["xephang"]
