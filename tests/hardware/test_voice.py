"""The lobby voice on this machine: real espeak-ng runs, joined clips, the chime (display/voice.py)."""

import array
import math
import shutil
import sys
import wave
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.speech import PAUSE, Announcement, clip_sequence
from display.voice import (ClipFormatError, EngineMissingError, Sound, VoiceSynthesizer, read_wav,
                           trim_trailing_silence)

SENTENCE = "Mời công dân có số thứ tự 1023 đến quầy số 5."
CLIP_RATE = 8000  # small synthetic clips keep the test light on a shared machine
NOT_INSTALLED = "espeak-ng-not-installed-for-this-test"


@pytest.fixture
def espeak():
    """Fail (never skip) when espeak-ng is missing: the display needs it when no clips are recorded."""
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed: the test script must install the Debian package "
                    "espeak-ng (apt-get install -y espeak-ng)")


def samples_of(path):
    """Duration in seconds and the 16-bit samples of a mono WAV file."""
    with wave.open(str(path), "rb") as reader:
        assert reader.getsampwidth() == 2 and reader.getnchannels() == 1
        samples = array.array("h", reader.readframes(reader.getnframes()))
        if sys.byteorder == "big":
            samples.byteswap()
        return reader.getnframes() / reader.getframerate(), samples


def rms(samples):
    return math.sqrt(sum(sample * sample for sample in samples) / max(1, len(samples)))


def write_tone(path, hertz, seconds, rate=CLIP_RATE, channels=1):
    """A synthetic "recording": a sine tone, distinct per clip, in the given format."""
    frames = round(seconds * rate)
    samples = array.array("h", (round(8000 * math.sin(2 * math.pi * hertz * index / rate))
                                for index in range(frames) for _ in range(channels)))
    if sys.byteorder == "big":
        samples.byteswap()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(channels)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.tobytes())
    return frames


def record_clips(folder, names):
    """One tone clip per name, each with its own pitch and length; returns frames per name."""
    folder.mkdir(exist_ok=True)
    return {name: write_tone(folder / f"{name}.wav", 300 + 40 * index, 0.05 + 0.01 * index)
            for index, name in enumerate(sorted(set(names) - {PAUSE}))}


@pytest.mark.parametrize("what", [SENTENCE, Announcement("1023", "5")], ids=["text", "announcement"])
def test_espeak_speaks_the_call(espeak, tmp_path, what):
    path = VoiceSynthesizer(tmp_path).synthesize(what)
    seconds, samples = samples_of(path)
    assert 2.0 <= seconds <= 10.0
    assert rms(samples) > 300  # speech measured ≈ 2,000–4,000; silence is 0


def test_cache_hit_does_not_run_espeak_again(espeak, tmp_path):
    # A wrapper that counts its runs, then hands over to the real espeak-ng.
    runs = tmp_path / "runs"
    wrapper = tmp_path / "counting-espeak-ng"
    wrapper.write_text(f'#!/bin/sh\necho run >> "{runs}"\nexec "{shutil.which("espeak-ng")}" "$@"\n')
    wrapper.chmod(0o755)
    voice = VoiceSynthesizer(tmp_path / "cache", engine=str(wrapper))
    first = voice.synthesize(SENTENCE)
    before = first.stat()
    second = voice.synthesize(SENTENCE)
    assert second == first
    assert runs.read_text().count("run") == 1
    assert (second.stat().st_mtime_ns, second.stat().st_ino) == (before.st_mtime_ns, before.st_ino)
    assert sorted((tmp_path / "cache").iterdir()) == [first]  # no temporary files left behind


def test_settings_are_part_of_the_cache_key(espeak, tmp_path):
    slow = VoiceSynthesizer(tmp_path, speed=120).synthesize(SENTENCE)
    fast = VoiceSynthesizer(tmp_path, speed=200).synthesize(SENTENCE)
    assert slow != fast
    assert samples_of(slow)[0] > samples_of(fast)[0]


def test_volume_scales_espeak_samples(espeak, tmp_path):
    full = rms(samples_of(VoiceSynthesizer(tmp_path).synthesize(SENTENCE))[1])
    half = rms(samples_of(VoiceSynthesizer(tmp_path, volume=0.5).synthesize(SENTENCE))[1])
    assert half == pytest.approx(full / 2, rel=0.02)


def test_missing_engine_is_a_clear_error(tmp_path):
    with pytest.raises(EngineMissingError, match="apt-get install espeak-ng"):
        VoiceSynthesizer(tmp_path, engine=NOT_INSTALLED).synthesize("Xin chào")


def test_missing_clip_falls_back_to_espeak(espeak, tmp_path):
    call = Announcement("A1023", "5")
    record_clips(tmp_path / "clips", call.clips()[:-1])  # the last clip was never recorded
    path = VoiceSynthesizer(tmp_path / "cache", clips_dir=tmp_path / "clips").synthesize(call)
    assert path.name.startswith("espeak-")
    assert samples_of(path)[0] >= 2.0


@pytest.mark.parametrize("number, counter, mode", [("A1023", "5", "natural"),
                                                   ("B007", "12A", "digits")])
def test_clips_are_joined_with_pauses(tmp_path, number, counter, mode):
    call = Announcement(number, counter, mode=mode)
    sequence = clip_sequence(call.template, number, counter, mode)
    frames = record_clips(tmp_path / "clips", sequence)
    voice = VoiceSynthesizer(tmp_path / "cache", clips_dir=tmp_path / "clips",
                             engine=NOT_INSTALLED, pause_seconds=0.25)
    path = voice.synthesize(call)
    pause_frames = round(0.25 * CLIP_RATE)
    expected = sum(pause_frames if name == PAUSE else frames[name] for name in sequence)
    joined = read_wav(path)
    assert joined.format == (1, 2, CLIP_RATE)
    assert len(joined.frames) // 2 == expected
    first_clip = read_wav(tmp_path / "clips" / f"{sequence[0]}.wav")
    assert joined.frames.startswith(first_clip.frames)
    assert voice.synthesize(call) == path


def test_rerecorded_clip_makes_a_new_file(tmp_path):
    call = Announcement("7", "1")
    record_clips(tmp_path / "clips", call.clips())
    voice = VoiceSynthesizer(tmp_path / "cache", clips_dir=tmp_path / "clips", engine=NOT_INSTALLED)
    before = voice.synthesize(call)
    write_tone(tmp_path / "clips" / "bay.wav", 900, 0.5)
    assert voice.synthesize(call) != before


def test_clips_in_different_formats_are_refused(tmp_path):
    call = Announcement("7", "1")
    record_clips(tmp_path / "clips", call.clips())
    write_tone(tmp_path / "clips" / "bay.wav", 900, 0.1, rate=16000)
    voice = VoiceSynthesizer(tmp_path / "cache", clips_dir=tmp_path / "clips", engine=NOT_INSTALLED)
    with pytest.raises(ClipFormatError, match=r"bay\.wav is 1 channel\(s\), 16-bit, 16000 Hz"):
        voice.synthesize(call)


def test_concurrent_requests_for_one_call_share_a_whole_file(tmp_path):
    call = Announcement("A1", "2")
    frames = record_clips(tmp_path / "clips", call.clips())
    voice = VoiceSynthesizer(tmp_path / "cache", clips_dir=tmp_path / "clips", engine=NOT_INSTALLED)
    with ThreadPoolExecutor(max_workers=4) as pool:
        paths = set(pool.map(lambda _: voice.synthesize(call), range(8)))
    assert len(paths) == 1
    expected = sum(frames.get(name, round(0.3 * CLIP_RATE)) for name in call.clips())
    assert len(read_wav(paths.pop()).frames) // 2 == expected
    assert [path.name for path in (tmp_path / "cache").iterdir() if path.name.startswith(".")] == []


def test_chime_is_short_audible_and_cached(tmp_path):
    voice = VoiceSynthesizer(tmp_path, engine=NOT_INSTALLED)
    path = voice.chime()
    seconds, samples = samples_of(path)
    assert 0.5 <= seconds <= 2.0
    assert rms(samples) > 1000
    assert max(abs(sample) for sample in samples) < 32767  # no clipping
    assert abs(samples[-1]) < 100  # fades out instead of ending with a click
    assert voice.chime() == path
    quiet = VoiceSynthesizer(tmp_path, volume=0.25).chime()
    assert quiet != path and rms(samples_of(quiet)[1]) < rms(samples) / 3


def test_trailing_silence_is_cut_to_the_pause_between_sentences():
    """Issue 10: sentences said back to back in a burst; espeak-ng's 0.4 s of silence at the end goes."""
    rate = 1000
    loud = array.array("h", [8000, -8000] * 250)                     # 0.5 s of sound
    samples = loud + array.array("h", [0, 40, -40] * 200)            # then 0.6 s near-silent
    if sys.byteorder == "big":
        samples.byteswap()                                            # WAV frames are little-endian
        loud.byteswap()
    sound = Sound(1, 2, rate, samples.tobytes())
    trimmed = trim_trailing_silence(sound, keep_seconds=0.15)
    assert len(trimmed.frames) == 2 * (500 + 150)                    # the sound and 0.15 s of what followed
    assert trimmed.frames[:1000] == sound.frames[:1000]
    assert trim_trailing_silence(trimmed, keep_seconds=0.15) == trimmed      # nothing more to cut
    assert trim_trailing_silence(Sound(1, 2, rate, loud.tobytes()), 0.15).frames == loud.tobytes()
    eight_bit = Sound(1, 1, rate, b"\x80" * 100)
    assert trim_trailing_silence(eight_bit) == eight_bit               # only 16-bit audio is trimmed
