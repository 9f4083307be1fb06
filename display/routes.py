"""Lobby wall displays (issue 5): the page, its data, the scrolling notice and the call audio.

    GET  /display/                         the configured displays (links)
    GET  /display/<display id>             the lobby screen; public, like /api/state
    GET  /display/<display id>/state.json  this display's recent calls and notice (fetched on every snapshot)
    GET  /display/counter/<counter id>     the small screen above a counter ([display] counter_screens)
    GET  /display/notice                   the notices; PUT it as an admin (session + X-CSRF-Token) to change
    GET  /display/audio/chime.wav          the chime;  GET /display/audio/call/<seq>.wav  the call's sentence
    GET  /display/audio/call/<seq>.json    the sentence as text (for a browser's own vi-VN voice)
    GET  /display/audio/short/<seq>.wav    the short sentence said in a burst ("Số A012, quầy 5."); .json its text
    GET  /display/logo                     the centre's logo ([display] logo, or the shipped one)

The page follows the realtime feed (static/feed.js); everything it shows comes from the snapshot and the
events, so a restart or a dropped network costs nothing but the reconnect.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request, send_file, url_for

from api import centre
from api.auth import require
from api.throttle import SlidingWindow
from api.routes import body
from core.availability import calendar_view
from core.errors import InvalidRequest, NotFound, QueueError
from core.numbering import local_day
from core.screen_settings import LOGO_TYPES
from i18n import language, words

from .announce import Announcements
from .notice import all_notices, read_notices, set_notice
from .scope import recent_calls, scope_of, waiting_rows
from .voice import VoiceError
from .words import WORDS

log = logging.getLogger(__name__)
blueprint = Blueprint("display", __name__, url_prefix="/display", template_folder="templates",
                      static_folder="static", static_url_path="/static")
STATIC = Path(__file__).resolve().parent / "static"
AUDIO_MAX_AGE = 24 * 3600  # a call's sentence never changes while the config stays the same


class VoiceUnavailable(QueueError):
    status = 503


@blueprint.record_once
def _set_up(state) -> None:
    centre = state.app.extensions["xephang"]
    state.app.extensions["xephang_display"] = Announcements(centre.settings, centre.store.path)



def announcements() -> Announcements:
    return current_app.extensions["xephang_display"]


def _display_list(text_key: str | None = None, status: int = 200):
    """The configured displays as links; with `text_key`, the page for an unknown display or counter."""
    lang = language()
    page = render_template("display/not_found.html", w=words(WORDS, lang), lang=lang, text_key=text_key,
                           displays=centre().settings.displays.values())
    return page, status


def _not_found(text_key: str):
    return _display_list(text_key, 404)


# --- pages ---------------------------------------------------------------------------------------
@blueprint.get("/")
def index():
    """Which displays exist, for whoever sets up a TV."""
    return _display_list()


@blueprint.get("/<display_id>")
def lobby(display_id: str):
    """The lobby screen; its JavaScript (display/static/lobby.js) gets the config as JSON in the page."""
    settings = centre().settings
    display = settings.displays.get(display_id)
    if display is None:
        return _not_found("not_found_text")
    lang = language()
    scope = scope_of(settings, display)
    notices = read_notices(centre().store, display.id)
    voice, options = settings.voice, settings.display
    config = {
        "display": display.id, "lang": lang, "timezone": settings.centre.timezone.key,
        "counters": [{"id": c, "name": settings.counters[c].name} for c in scope.counters],
        "services": list(scope.services),
        "waiting": waiting_rows(settings, scope, options.waiting_by, lang),
        "recentCalls": options.recent_calls, "highlightSeconds": options.highlight_seconds,
        "stateUrl": url_for(".state", display_id=display.id), "notice": notices,
        "voice": {"enabled": voice.enabled, "repeat": voice.repeat, "browserVoice": voice.browser_voice,
                  "quietHours": [[start.strftime("%H:%M"), end.strftime("%H:%M")]
                                 for start, end in voice.quiet_hours],
                  "chimeUrl": url_for(".chime"), "callUrl": url_for(".call_audio", seq=0).rsplit("/", 1)[0] + "/",
                  "shortUrl": url_for(".short_audio", seq=0).rsplit("/", 1)[0] + "/",
                  "burstThreshold": voice.burst_threshold},
        "words": words(WORDS, lang),
    }
    return render_template("display/lobby.html", w=config["words"], lang=lang, display=display,
                           centre_name=settings.centre.name_en if lang == "en" else settings.centre.name,
                           counters=config["counters"], waiting=config["waiting"],
                           recent_rows=range(options.recent_calls), notice=notices["mine"] or notices["all"],
                           config=config)


@blueprint.get("/<display_id>/state.json")
def state(display_id: str):
    """What the snapshot does not hold: this display's recent calls (filtered, today) and its notice."""
    settings = centre().settings
    display = settings.displays.get(display_id)
    if display is None:
        raise NotFound("display_not_found", f"Không có màn hình “{display_id}”.")
    calls = recent_calls(centre().store, settings, scope_of(settings, display), settings.display.recent_calls,
                         centre().engine.clock.now())
    notices = read_notices(centre().store, display.id)
    now = centre().engine.clock.now().astimezone(settings.centre.timezone)
    return jsonify({"seq": max(calls["seq"], notices["seq"]), "recent_calls": calls["calls"],
                    "notice": {"all": notices["all"], "mine": notices["mine"], "seq": notices["seq"]},
                    # Today's hours or holiday and the next dated exception (the console's, core/catalogue.py).
                    "calendar": calendar_view(settings, now)})


@blueprint.get("/counter/<counter_id>")
def counter_screen(counter_id: str):
    """The small screen above a counter, when [display] counter_screens is on."""
    settings = centre().settings
    counter = settings.counters.get(counter_id)
    if counter is None or not settings.display.counter_screens:
        return _not_found("counter_not_found_text")
    lang = language()
    config = {"counter": counter.id, "lang": lang, "words": words(WORDS, lang)}
    return render_template("display/counter.html", w=config["words"], lang=lang, counter=counter, config=config)


@blueprint.get("/logo")
def logo():
    """The centre's logo, from this server (no internet on many centres' LANs)."""
    path = centre().settings.display.logo
    if not path:
        return send_file(STATIC / "logo.svg", mimetype="image/svg+xml", max_age=3600)
    return send_file(Path(path).resolve(), mimetype=LOGO_TYPES[Path(path).suffix.lower()], max_age=3600)


# --- the scrolling notice ------------------------------------------------------------------------
@blueprint.get("/notice")
def get_notice():
    """The notice for every display and the one of each display that has its own."""
    return jsonify(all_notices(centre().store))


@blueprint.put("/notice")
def put_notice():
    """Admins only (session cookie + X-CSRF-Token): {"text": "...", "display": id or null for every display}."""
    caller = require("admin", "manager")  # quản lý trung tâm may change the lobby's notices
    data = body({"text": (str,), "display": (str, type(None))}, required=("text",))
    display_id = data.get("display")
    if display_id is not None and display_id not in centre().settings.displays:
        raise InvalidRequest("unknown_display", f"Không có màn hình “{display_id}”.", display=display_id)
    event = set_notice(centre().store, data["text"], display_id=display_id, actor=caller.actor)
    return jsonify({"display": display_id, "text": event["details"]["text"], "seq": event["seq"]})


# --- audio ---------------------------------------------------------------------------------------
@blueprint.get("/audio/chime.wav")
def chime():
    """The chime played before every announcement, also when the voice is off."""
    return send_file(announcements().chime_wav(), mimetype="audio/wav", max_age=AUDIO_MAX_AGE)


@blueprint.get("/audio/call/<int:seq>.wav")
def call_audio(seq: int):
    """The sentence for the call (or recall) with this seq, as WAV."""
    return _sentence_audio(seq, short=False)


@blueprint.get("/audio/short/<int:seq>.wav")
def short_audio(seq: int):
    """The burst's short sentence for the call with this seq ("Số A012, quầy 5."), as WAV."""
    return _sentence_audio(seq, short=True)


@blueprint.get("/audio/call/<int:seq>.json")
def call_text(seq: int):
    """The sentence as text, for a display that speaks with its browser's own vi-VN voice."""
    return _sentence_text(seq, short=False)


@blueprint.get("/audio/short/<int:seq>.json")
def short_text(seq: int):
    """The short sentence as text, for a browser's own vi-VN voice."""
    return _sentence_text(seq, short=True)


def _sentence_audio(seq: int, short: bool):
    if not centre().settings.voice.enabled:
        raise NotFound("voice_off", "Giọng đọc đang tắt trong cấu hình ([voice] enabled = false).")
    event = _call_event(seq)
    try:
        path = announcements().sentence_wav(event, short)
    except (VoiceError, ValueError) as error:
        log.error("no audio for call %s: %s", seq, error)
        raise VoiceUnavailable("voice_unavailable", "Không tạo được giọng đọc cho lần gọi này.") from None
    return send_file(path, mimetype="audio/wav", max_age=AUDIO_MAX_AGE)


def _sentence_text(seq: int, short: bool):
    event = _call_event(seq)
    try:
        text = announcements().announcement(event, short).text()
    except ValueError:
        raise VoiceUnavailable("voice_unavailable", "Không đọc được số này.") from None
    audio = url_for(".short_audio" if short else ".call_audio", seq=seq)
    return jsonify({"seq": seq, "text": text, "audio": audio})


# A lobby display fetches each call's sentence once (and each recall): 120 a minute per address is far
# above what a screen needs, and keeps a script from making the server synthesize call after call.
AUDIO_REQUESTS_PER_MINUTE = 120


def _call_event(seq: int) -> dict:
    """A call or recall of *today* (the lobby has no business with older ones), within the throttle."""
    throttle = current_app.extensions.setdefault("xephang_audio_throttle", SlidingWindow(AUDIO_REQUESTS_PER_MINUTE, 60))
    throttle.hit(request.remote_addr or "unknown", "Quá nhiều yêu cầu âm thanh từ máy này. Xin thử lại sau ít phút.")
    event = announcements().call_event(centre().store, seq) if seq < 2**63 else None
    engine = centre().engine
    if event is None or local_day(datetime.fromisoformat(event["at"]), centre().settings.centre.timezone) != \
            local_day(engine.clock.now(), centre().settings.centre.timezone):
        raise NotFound("call_not_found", "Không có lần gọi số này hôm nay.", seq=seq)
    return event
