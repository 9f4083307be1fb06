"""The audio a display plays, fetched through the display's routes: made offline, cached, the right words."""

from __future__ import annotations

import array
import dataclasses
import io
import math
import shutil
import sys
import wave
from pathlib import Path

import pytest

from core.speech import PAUSE, Announcement
from tests.web.api_support import assert_error, open_centre, seed_database


def with_voice(settings, **changes):
    return dataclasses.replace(settings, voice=dataclasses.replace(settings.voice, **changes))


@pytest.fixture
def make_centre(clock, tmp_path_factory, tmp_path):
    opened = []

    def make(settings, name="centre"):
        folder = tmp_path / name
        folder.mkdir()
        context = open_centre(settings, clock, seed_database(tmp_path_factory), folder)
        opened.append(context)
        return context.__enter__()

    yield make
    for context in opened:
        context.__exit__(None, None, None)


def decode(response) -> tuple[float, array.array, tuple]:
    """(seconds, 16-bit samples, (channels, width, rate)) of a WAV response."""
    assert response.status_code == 200 and response.mimetype == "audio/wav", response.get_data()[:200]
    with wave.open(io.BytesIO(response.data), "rb") as reader:
        samples = array.array("h", reader.readframes(reader.getnframes()))
        if sys.byteorder == "big":
            samples.byteswap()
        shape = (reader.getnchannels(), reader.getsampwidth(), reader.getframerate())
        return reader.getnframes() / reader.getframerate(), samples, shape


def rms(samples) -> float:
    return math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def call_seq(centre, service: str, counter: str) -> tuple[int, dict]:
    centre.issue(service)
    ticket = centre.call_next(counter)
    with centre.store.read() as tx:
        return tx.last_seq(), ticket


@pytest.fixture
def espeak():
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is not installed (apt-get install -y espeak-ng); scripts/test.sh installs it")


def test_a_call_is_spoken_offline_not_silent_and_as_long_as_its_sentence(espeak, make_centre, settings):
    centre = make_centre(settings)
    short_seq, _ = call_seq(centre, "KS", "1")                 # "A001" → "a, một"
    long_seq, _ = call_seq(centre, "GCN", "3")                  # "1001" → "một nghìn không trăm linh một"
    assert centre.get(f"/display/audio/call/{short_seq}.json").get_json()["text"] == \
        "Mời công dân có số thứ tự a, một đến quầy số một."
    short_seconds, short_samples, shape = decode(centre.get(f"/display/audio/call/{short_seq}.wav"))
    long_seconds, long_samples, _ = decode(centre.get(f"/display/audio/call/{long_seq}.wav"))
    assert shape == (1, 2, 22050)
    assert rms(short_samples) > 500 and rms(long_samples) > 500          # a voice, not silence
    # Vietnamese words are one syllable each; at 150 words per minute each takes 0.4 s: the length must be
    # within half to twice that (espeak-ng speeds up short words and adds pauses at commas).
    for seq, seconds in ((short_seq, short_seconds), (long_seq, long_seconds)):
        words = len(centre.get(f"/display/audio/call/{seq}.json").get_json()["text"].split())
        assert 0.5 * 0.4 * words < seconds < 2 * 0.4 * words, (words, seconds)
    assert long_seconds > short_seconds                                  # 15 words take longer than 12
    assert list((Path(centre.store.path).parent / "voice-cache").glob("espeak-*.wav")), "cached beside the database"


def test_the_recall_says_the_same_sentence_from_the_cache(espeak, make_centre, settings):
    centre = make_centre(settings)
    seq, ticket = call_seq(centre, "KS", "1")
    first = centre.get(f"/display/audio/call/{seq}.wav").data
    centre.act(ticket["id"], "recall")
    with centre.store.read() as tx:
        recall_seq = tx.last_seq()
    assert centre.get(f"/display/audio/call/{recall_seq}.wav").data == first


def test_digits_mode_reads_each_digit(make_centre, settings):
    centre = make_centre(with_voice(settings, mode="digits"))
    seq, _ = call_seq(centre, "GCN", "3")
    assert centre.get(f"/display/audio/call/{seq}.json").get_json()["text"] == \
        "Mời công dân có số thứ tự một, không, không, một đến quầy số ba."


def write_clip(path, hertz: float, frames: int, rate: int = 8000) -> bytes:
    samples = array.array("h", (round(6000 * math.sin(2 * math.pi * hertz * i / rate)) for i in range(frames)))
    if sys.byteorder == "big":
        samples.byteswap()
    with wave.open(str(path), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(samples.tobytes())
    return samples.tobytes()


def test_recorded_clips_are_joined_in_the_sentences_order(make_centre, settings, tmp_path):
    clips = tmp_path / "clips"
    clips.mkdir()
    centre = make_centre(with_voice(settings, clips_dir=str(clips), repeat=2))
    seq, _ = call_seq(centre, "KS", "10")                      # A001 at "Quầy ưu tiên" (id 10)
    # Counter 10 is called by its name, as the screen shows it: its phrase is one recorded clip.
    sequence = Announcement(number="A001", counter="10",
                            template="Mời công dân có số thứ tự {number} đến quầy ưu tiên.").clips()
    assert sequence == ["moi_cong_dan_co_so_thu_tu", "letter_a", PAUSE, "mot", "den_quay_uu_tien"]
    frames = {name: write_clip(clips / f"{name}.wav", 200 + 50 * index, 400 + 37 * index)
              for index, name in enumerate(n for n in sequence if n != PAUSE)}
    pause = b"\x00" * (round(0.3 * 8000) * 2)
    expected = b"".join(pause if name == PAUSE else frames[name] for name in sequence)
    _, samples, shape = decode(centre.get(f"/display/audio/call/{seq}.wav"))
    assert shape == (1, 2, 8000)
    assert samples.tobytes() == expected                     # every clip, in order, with the pause after the letter


def test_voice_off_still_serves_the_chime(make_centre, settings):
    centre = make_centre(with_voice(settings, enabled=False))
    seq, _ = call_seq(centre, "KS", "1")
    assert_error(centre.get(f"/display/audio/call/{seq}.wav"), 404, "voice_off")
    seconds, samples, _ = decode(centre.get("/display/audio/chime.wav"))
    assert 0.5 < seconds < 3 and rms(samples) > 500


def test_only_calls_can_be_spoken(make_centre, settings):
    centre = make_centre(with_voice(settings))
    centre.issue("KS")                                       # seq 1 is an "issued" event, not a call
    assert_error(centre.get("/display/audio/call/1.wav"), 404, "call_not_found")
    assert_error(centre.get("/display/audio/call/999.wav"), 404, "call_not_found")
    assert_error(centre.get("/display/audio/call/99999999999999999999.wav"), 404, "call_not_found")


def test_the_cache_keeps_the_most_recently_used_sentences(espeak, make_centre, settings):
    centre = make_centre(settings)
    seqs = [call_seq(centre, "KS", counter)[0] for counter in ("1", "2", "10")]
    for seq in seqs:
        centre.get(f"/display/audio/call/{seq}.wav")
    centre.get(f"/display/audio/call/{seqs[0]}.wav")                # the first one is used again
    centre.get("/display/audio/chime.wav")
    announcements = centre.app.extensions["xephang_display"]
    cache = announcements.synthesizer.cache_dir
    assert announcements.prune(keep=2) == 1
    assert len(list(cache.glob("espeak-*.wav"))) == 2
    kept = {path.name for path in cache.glob("espeak-*.wav")}
    assert announcements.sentence_wav(announcements.call_event(centre.store, seqs[0])).name in kept
    assert list(cache.glob("chime-*.wav")), "the chime is never pruned"


def test_a_counter_known_by_name_is_announced_by_that_name(espeak, make_centre, settings):
    """Issue 8: the screen shows "Quầy ưu tiên" for counter 10; the voice said "quầy số mười"."""
    centre = make_centre(settings)
    seq, _ = call_seq(centre, "KS", "10")
    text = centre.get(f"/display/audio/call/{seq}.json").get_json()["text"]
    assert text == "Mời công dân có số thứ tự a, một đến quầy ưu tiên."
    seconds, samples, _ = decode(centre.get(f"/display/audio/call/{seq}.wav"))  # espeak-ng says it for real
    assert rms(samples) > 500 and seconds > 0.5 * 0.4 * len(text.split())
    numbered, _ = call_seq(centre, "KS", "1")
    assert centre.get(f"/display/audio/call/{numbered}.json").get_json()["text"].endswith("đến quầy số một.")


def test_only_todays_calls_are_spoken(make_centre, settings, clock):
    centre = make_centre(settings)
    seq, _ = call_seq(centre, "KS", "1")
    assert centre.get(f"/display/audio/call/{seq}.json").status_code == 200
    clock.advance(days=1)
    assert_error(centre.get(f"/display/audio/call/{seq}.json"), 404, "call_not_found")
    assert_error(centre.get(f"/display/audio/call/{seq}.wav"), 404, "call_not_found")


def test_call_audio_is_throttled_per_address(make_centre, settings):
    from display.routes import AUDIO_REQUESTS_PER_MINUTE
    centre = make_centre(settings)
    seq, _ = call_seq(centre, "KS", "1")
    for _ in range(AUDIO_REQUESTS_PER_MINUTE):
        assert centre.get(f"/display/audio/call/{seq}.json").status_code == 200
    refused = centre.get(f"/display/audio/call/{seq}.json")
    body = assert_error(refused, 429, "too_many_requests")
    assert int(refused.headers["Retry-After"]) == body["retry_after"]
    other = centre.client.get(f"/display/audio/call/{seq}.json", environ_base={"REMOTE_ADDR": "10.0.0.8"})
    assert other.status_code == 200


def test_the_short_sentence_of_a_burst_is_made_offline_too(espeak, make_centre, settings):
    """Issue 10: in a burst the display says "Số A001, quầy 1." from /display/audio/short/<seq>.wav."""
    centre = make_centre(settings)
    seq, _ = call_seq(centre, "KS", "1")
    named, _ = call_seq(centre, "KS", "10")                      # "Quầy ưu tiên" on the screen
    text = centre.get(f"/display/audio/short/{seq}.json").get_json()
    assert text == {"seq": seq, "text": "Số a, một, quầy một.", "audio": f"/display/audio/short/{seq}.wav"}
    assert centre.get(f"/display/audio/short/{named}.json").get_json()["text"] == "Số a, hai, quầy ưu tiên."
    short_seconds, samples, shape = decode(centre.get(f"/display/audio/short/{seq}.wav"))
    full_seconds, _, _ = decode(centre.get(f"/display/audio/call/{seq}.wav"))
    assert shape == (1, 2, 22050) and rms(samples) > 500              # a voice, not silence
    assert 0.5 * 0.4 * 5 < short_seconds < 0.75 * full_seconds, (short_seconds, full_seconds)
    # Said back to back in a burst: espeak-ng's 0.4 s of silence at the end is cut to 0.15 s.
    spoken = max(index for index, sample in enumerate(samples) if abs(sample) >= 328)
    assert 0.1 < (len(samples) - spoken) / 22050 < 0.2
    assert centre.get(f"/display/audio/short/{seq}.wav").data == centre.get(f"/display/audio/short/{seq}.wav").data
    assert len(list((Path(centre.store.path).parent / "voice-cache").glob("espeak-*.wav"))) == 2  # cached
    assert_error(centre.get("/display/audio/short/999999.wav"), 404, "call_not_found")
    off = make_centre(with_voice(settings, enabled=False), name="quiet")
    quiet_seq, _ = call_seq(off, "KS", "1")
    assert_error(off.get(f"/display/audio/short/{quiet_seq}.wav"), 404, "voice_off")
