"""Offline voice for the lobby display: announcement WAV files, cached on disk, and a chime.

Two ways to speak, chosen per call (docs/design.md, decision 6):

* recorded clips: when ``clips_dir`` holds every ``<name>.wav`` that ``core.speech.clip_sequence``
  asks for, the clips are joined with the ``wave`` module (milliseconds, and a real human voice);
* espeak-ng otherwise (Debian package ``espeak-ng``): robotic but clear, and it needs no recordings.

Every result is cached under a hash of what was said and how, and written to a temporary file that
is then renamed over the final name, so two workers making the same file never see half of it.
Framework-free: the display's routes only need the returned path.
"""

from __future__ import annotations

import array
import hashlib
import json
import logging
import math
import os
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import wave
from dataclasses import dataclass
from pathlib import Path

from core.speech import PAUSE, Announcement

logger = logging.getLogger(__name__)

# Bump when the output for the same inputs changes, so old cache files are not reused.
CACHE_VERSION = 2  # 2: espeak-ng's trailing silence trimmed
# espeak-ng ends every sentence with ~0.4 s of silence. Sentences said back to back in a burst of calls
# (issue 10) would spend a second of every three in dead air; this much is kept as the pause between them.
TRAILING_SILENCE_SECONDS = 0.15
SILENCE_LEVEL = 328  # 1 % of 16-bit full scale: below it a sample counts as silence
CHIME_RATE = 22050  # espeak-ng's own rate, so a player can queue chime and voice alike
# Signed sample types per sample width; 8-bit WAV is unsigned and handled by an offset.
_SAMPLE_TYPES = {1: "b", 2: "h", 4: "i"}


class VoiceError(Exception):
    """Speech could not be produced."""


class EngineMissingError(VoiceError):
    """The speech engine program is not installed (Debian: apt-get install espeak-ng)."""


class ClipFormatError(VoiceError):
    """A recorded clip is unreadable or differs in format from the other clips."""


@dataclass(frozen=True)
class Sound:
    """PCM audio in memory: the format and the raw little-endian frames."""

    channels: int
    sample_width: int
    frame_rate: int
    frames: bytes

    @property
    def format(self) -> tuple[int, int, int]:
        """(channels, bytes per sample, frames per second): what joined clips must share."""
        return (self.channels, self.sample_width, self.frame_rate)

    def silence(self, seconds: float) -> bytes:
        """Silent frames in this sound's format (8-bit WAV is unsigned, so silence is 128)."""
        byte = b"\x80" if self.sample_width == 1 else b"\x00"
        return byte * (round(seconds * self.frame_rate) * self.channels * self.sample_width)


def read_wav(path: Path) -> Sound:
    """Read a PCM WAV file, turning the wave module's errors into ClipFormatError."""
    try:
        with wave.open(str(path), "rb") as reader:
            return Sound(reader.getnchannels(), reader.getsampwidth(), reader.getframerate(),
                         reader.readframes(reader.getnframes()))
    except (wave.Error, EOFError) as error:
        raise ClipFormatError(f"{path} is not a PCM WAV file: {error}") from error


def scale_volume(sound: Sound, volume: float) -> Sound:
    """Multiply every sample by ``volume``, clipping at full scale instead of wrapping around."""
    if volume == 1.0:
        return sound
    if sound.sample_width not in _SAMPLE_TYPES:
        raise ClipFormatError(f"cannot scale {8 * sound.sample_width}-bit audio; "
                              "use 16-bit PCM (sox in.wav -b 16 out.wav)")
    samples = array.array(_SAMPLE_TYPES[sound.sample_width])
    if sound.sample_width == 1:
        samples.frombytes(bytes((byte - 128) & 0xFF for byte in sound.frames))
    else:
        samples.frombytes(sound.frames)
        if sys.byteorder == "big":
            samples.byteswap()  # WAV is little-endian whatever the machine is
    limit = 2 ** (8 * sound.sample_width - 1)
    scaled = array.array(samples.typecode, (max(-limit, min(limit - 1, round(sample * volume)))
                                            for sample in samples))
    if sound.sample_width == 1:
        return Sound(*sound.format, bytes((sample + 128) & 0xFF for sample in scaled))
    if sys.byteorder == "big":
        scaled.byteswap()
    return Sound(*sound.format, scaled.tobytes())


def write_wav_atomically(path: Path, sound: Sound) -> None:
    """Write to a temporary file in the same folder, then rename it over ``path``."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".voice-", suffix=".wav")
    try:
        with os.fdopen(handle, "wb") as file, wave.open(file, "wb") as writer:
            writer.setnchannels(sound.channels)
            writer.setsampwidth(sound.sample_width)
            writer.setframerate(sound.frame_rate)
            writer.writeframes(sound.frames)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def trim_trailing_silence(sound: Sound, keep_seconds: float = TRAILING_SILENCE_SECONDS) -> Sound:
    """The sound without the silence at its end beyond `keep_seconds` (16-bit sounds; others as they are)."""
    if sound.sample_width != 2:
        return sound
    samples = array.array("h", sound.frames)
    if sys.byteorder == "big":
        samples.byteswap()
    last = len(samples) - 1
    while last >= 0 and abs(samples[last]) < SILENCE_LEVEL:
        last -= 1
    frame = sound.channels * sound.sample_width
    end = (last // sound.channels + 1 + round(keep_seconds * sound.frame_rate)) * frame
    return Sound(*sound.format, sound.frames[:min(end, len(sound.frames))])


def chime_sound(volume: float = 1.0) -> Sound:
    """A soft two-note "ding-dong" (E5 then C5) with bell-like overtones and a decaying tail."""
    notes = ((659.25, 0.0), (523.25, 0.42))  # (hertz, start in seconds)
    length = round(1.3 * CHIME_RATE)
    mix = [0.0] * length
    for hertz, start in notes:
        first = round(start * CHIME_RATE)
        for index in range(length - first):
            seconds = index / CHIME_RATE
            # A 5 ms attack avoids a click; the exponential decay is what makes it sound like a bell.
            envelope = min(1.0, seconds / 0.005) * math.exp(-4.0 * seconds)
            phase = 2 * math.pi * hertz * seconds
            mix[first + index] += envelope * (math.sin(phase) + 0.3 * math.sin(2 * phase)
                                              + 0.1 * math.sin(3 * phase))
    peak = max(abs(value) for value in mix)
    # Half of full scale at volume 1.0: TVs are loud, and volume up to 2.0 can never clip.
    gain = 0.5 * 32767 * max(0.0, min(volume, 2.0)) / peak
    fade = round(0.05 * CHIME_RATE)  # the last 50 ms fade to zero so the file ends without a click
    samples = array.array("h", (round(value * gain * min(1.0, (length - index) / fade))
                                for index, value in enumerate(mix)))
    if sys.byteorder == "big":
        samples.byteswap()
    return Sound(1, 2, CHIME_RATE, samples.tobytes())


class VoiceSynthesizer:
    """Turn announcements into WAV files on disk, from recorded clips or with espeak-ng.

    ``engine`` is the espeak-ng program (a name on PATH or a full path), ``voice`` an espeak-ng
    voice ("vi" is Northern; "vi-vn-x-central", "vi-vn-x-south"), ``speed`` in words per minute,
    ``volume`` a factor applied to the samples (1.0 leaves them as they are).
    """

    def __init__(self, cache_dir: str | os.PathLike, clips_dir: str | os.PathLike | None = None,
                 engine: str = "espeak-ng", voice: str = "vi", speed: int = 150,
                 volume: float = 1.0, *, pause_seconds: float = 0.3,
                 timeout_seconds: float = 30.0) -> None:
        if not 80 <= speed <= 450:
            raise ValueError(f"speed must be 80-450 words per minute (espeak-ng's range), got {speed}")
        if not 0.0 <= volume <= 4.0:
            raise ValueError(f"volume must be a factor from 0.0 to 4.0, got {volume}")
        self.cache_dir = Path(cache_dir)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        self.clips_dir = Path(clips_dir) if clips_dir is not None else None
        self.engine, self.voice, self.speed, self.volume = engine, voice, speed, volume
        self.pause_seconds, self.timeout_seconds = pause_seconds, timeout_seconds

    def synthesize(self, text_or_call: str | Announcement) -> Path:
        """Path of a WAV file saying the text or the announcement; made once, then reused.

        An Announcement is joined from recorded clips when every clip it needs exists,
        otherwise its text is spoken by espeak-ng. Plain text always goes to espeak-ng.
        """
        if isinstance(text_or_call, Announcement):
            clip_paths = self._clip_paths(text_or_call.clips())
            if clip_paths is not None:
                return self._join_clips(clip_paths)
            text = text_or_call.text()
        else:
            text = unicodedata.normalize("NFC", text_or_call)  # one cache entry however it was typed
        if not text.strip():
            raise ValueError("nothing to say: the text is empty")
        return self._espeak(text)

    def chime(self) -> Path:
        """Path of the two-note chime played before each announcement (and when voice is off)."""
        path = self._cache_path({"kind": "chime", "volume": self.volume})
        if not path.exists():
            write_wav_atomically(path, chime_sound(self.volume))
        return path

    def _cache_path(self, settings: dict) -> Path:
        settings = {"cache_version": CACHE_VERSION, **settings}
        digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()
        return self.cache_dir / f"{settings['kind']}-{digest[:32]}.wav"

    def _clip_paths(self, sequence: list[str]) -> list[Path | None] | None:
        """Clip files for the sequence (None for a pause), or None when any recording is missing."""
        if self.clips_dir is None:
            return None
        paths = [None if name == PAUSE else self.clips_dir / f"{name}.wav" for name in sequence]
        missing = sorted({path.name for path in paths if path is not None and not path.is_file()})
        if missing:
            logger.info("recorded clips missing (%s); using espeak-ng", ", ".join(missing))
            return None
        return paths

    def _join_clips(self, paths: list[Path | None]) -> Path:
        # Size and modification time are in the key so that re-recording a clip remakes the file.
        stamps = [None if path is None else [path.name, path.stat().st_size, path.stat().st_mtime_ns]
                  for path in paths]
        target = self._cache_path({"kind": "clips", "clips": stamps, "volume": self.volume,
                                   "pause_seconds": self.pause_seconds})
        if target.exists():
            return target
        sounds = {path: read_wav(path) for path in set(paths) if path is not None}
        first_path = next(path for path in paths if path is not None)
        reference = sounds[first_path]
        for path, sound in sounds.items():
            if sound.format != reference.format:
                raise ClipFormatError(
                    f"{path.name} is {_describe(sound)} but {first_path.name} is "
                    f"{_describe(reference)}; record or convert every clip to one format, "
                    "e.g. sox in.wav -r 22050 -c 1 -b 16 out.wav")
        pause = reference.silence(self.pause_seconds)
        frames = b"".join(pause if path is None else sounds[path].frames for path in paths)
        write_wav_atomically(target, scale_volume(Sound(*reference.format, frames), self.volume))
        return target

    def _espeak(self, text: str) -> Path:
        target = self._cache_path({"kind": "espeak", "text": text, "engine": self.engine,
                                   "voice": self.voice, "speed": self.speed, "volume": self.volume})
        if target.exists():
            return target
        program = shutil.which(self.engine)
        if program is None:
            raise EngineMissingError(f"speech engine {self.engine!r} not found; on Debian install it "
                                     "with: apt-get install espeak-ng")
        handle, temporary = tempfile.mkstemp(dir=self.cache_dir, prefix=".espeak-", suffix=".wav")
        os.close(handle)
        try:
            # Text goes in on stdin so a sentence starting with "-" is never taken for an option.
            command = [program, "-v", self.voice, "-s", str(self.speed), "-b", "1", "--stdin",
                       "-w", temporary]
            try:
                result = subprocess.run(command, input=text.encode("utf-8"), capture_output=True,
                                        timeout=self.timeout_seconds, check=False)
            except subprocess.TimeoutExpired as error:
                raise VoiceError(f"espeak-ng took over {self.timeout_seconds} s") from error
            if result.returncode != 0 or os.path.getsize(temporary) == 0:
                raise VoiceError(f"espeak-ng failed ({result.returncode}): "
                                 f"{result.stderr.decode(errors='replace').strip()}")
            write_wav_atomically(target, scale_volume(trim_trailing_silence(read_wav(Path(temporary))), self.volume))
        finally:
            Path(temporary).unlink(missing_ok=True)
        return target


def _describe(sound: Sound) -> str:
    return f"{sound.channels} channel(s), {8 * sound.sample_width}-bit, {sound.frame_rate} Hz"
