"""From a call in the event log to the sound a lobby display plays: the chime and the sentence.

The display's browser asks for `/display/audio/call/<seq>.wav`; this module finds that event, builds the
Announcement ([voice] settings: template, mode) and hands it to display/voice.py, which joins recorded
clips or runs espeak-ng and caches the file. Only `called` and `recalled` events can be spoken, so a
stranger cannot make the server synthesize arbitrary text; the cache keeps the most recently used.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path

from core import events
from core.speech import SHORT_TEMPLATE, Announcement
from core.settings import Counter, Settings

from .voice import VoiceSynthesizer

# The cache only has to serve every display fetching the same call within a minute or two (and recalls):
# a few hundred sentences of ~200 KB each. Least recently used files go first, so it never fills a disk.
MAX_CACHED_SENTENCES = 300
PRUNE_EVERY = 25  # sentences served between two prunings (a glob of a few hundred names)
# A counter id such as "5", "12" or "5A" is read as such; anything else falls back to the digits in its name.
_READABLE_COUNTER = re.compile(r"^[A-Za-z]?\d{1,4}[A-Za-z]?$")


def counter_label(counter: Counter) -> str:
    """What "{counter}" in the sentence reads: the id when it is a number, else the number in the name."""
    if _READABLE_COUNTER.match(counter.id):
        return counter.id
    digits = re.findall(r"\d+", counter.name)
    # Last resort: the id's letters and digits, read one letter at a time ("B2" → "bê, hai").
    return digits[-1] if digits else (re.sub(r"[^0-9A-Za-z]", "", counter.id) or "0")


def says_its_number(counter: Counter) -> bool:
    """Whether the counter's name is its number ("Quầy số 5", "Quầy 5A"), so "quầy số {counter}" says
    what the screen shows. A named counter ("Quầy ưu tiên") is announced by its name instead (issue 8)."""
    return bool(re.search(r"\d", counter.name))


def template_for(counter: Counter | None, template: str) -> str:
    """The [voice] template for a call at `counter`: for a counter known by name, not number, the name
    takes the place of "quầy số {counter}" (or of "{counter}" in a template without that phrase)."""
    if counter is None or says_its_number(counter):
        return template
    name = counter.name.replace("{", "").replace("}", "")
    in_sentence = name[:1].lower() + name[1:]  # "… đến quầy ưu tiên."
    spoken, replaced = _COUNTER_PHRASE.subn(lambda _: in_sentence, template)
    return spoken if replaced else template.replace("{counter}", name)


_COUNTER_PHRASE = re.compile(r"quầy\s+(?:số\s+)?\{counter\}", re.IGNORECASE)


class Announcements:
    """The voice of one running centre: settings, a synthesizer with its cache, one synthesis at a time."""

    def __init__(self, settings: Settings, database_path: str):
        voice = settings.voice
        cache = Path(voice.cache_dir) if voice.cache_dir else Path(database_path).resolve().parent / "voice-cache"
        self.settings = settings
        self.synthesizer = VoiceSynthesizer(cache, voice.clips_dir or None, voice=voice.voice, speed=voice.speed,
                                            volume=voice.volume)
        # One espeak-ng at a time: ten displays asking for the same new call make one file, not ten
        # processes racing on a 2-core box (gevent patches this lock into a cooperative one).
        self.lock = threading.Lock()
        self.made = 0
        self.prune()

    def call_event(self, store, seq: int) -> dict | None:
        """The `called`/`recalled` event with this seq, or None."""
        with store.read() as tx:
            found = tx.events(after_seq=seq - 1, limit=1)
        if not found or found[0]["seq"] != seq or found[0]["kind"] not in events.ANNOUNCED:
            return None
        return found[0]

    def announcement(self, event: dict, short: bool = False) -> Announcement:
        """The sentence for a call event, as the [voice] settings say it; `short`: the burst's short form
        ("Số A012, quầy 5."), which names a counter known by name the way the full sentence does."""
        counter = self.settings.counters.get(event["counter"] or "")
        label = counter_label(counter) if counter else (event["counter"] or "0")
        template = SHORT_TEMPLATE if short else self.settings.voice.template
        return Announcement(number=event["details"]["number"], counter=label,
                            template=template_for(counter, template), mode=self.settings.voice.mode)

    def sentence_wav(self, event: dict, short: bool = False) -> Path:
        """The WAV file saying the call, in full or short (made once, then served from the cache)."""
        announcement = self.announcement(event, short)
        with self.lock:
            path = self.synthesizer.synthesize(announcement)
            os.utime(path)  # just used: the last to be pruned
            self.made += 1
            if self.made % PRUNE_EVERY == 0:
                self.prune()
            return path

    def prune(self, keep: int = MAX_CACHED_SENTENCES) -> int:
        """Delete the least recently used sentences beyond `keep` (never the chime); how many went."""
        files = [p for p in self.synthesizer.cache_dir.glob("*.wav") if not p.name.startswith("chime-")]
        if len(files) <= keep:
            return 0
        files.sort(key=lambda p: p.stat().st_mtime)
        for path in files[:len(files) - keep]:
            path.unlink(missing_ok=True)
        return len(files) - keep

    def chime_wav(self) -> Path:
        with self.lock:
            return self.synthesizer.chime()
