"""Whether a counter is open (core/staffing.py): a live claim, recent device activity, or a citizen at it."""

from datetime import timedelta

from core import staffing
from tests.unit.queue_helpers import CLERK, issue

DEVICE = "counter:9"


def test_the_pure_rule(settings, clock):
    now = clock.now()
    recent, stale = now - timedelta(minutes=5), now - timedelta(minutes=staffing.DEVICE_RECENT_MINUTES + 1)
    states = staffing.counter_states(settings, {"1": "lan", "2": None}, {"3": recent, "4": stale},
                                     paused={"1", "5"}, now=now, busy={"6"})
    assert states["1"] == staffing.PAUSED       # a clerk on a break
    assert states["2"] == staffing.UNSTAFFED    # nobody signed in, no activity
    assert states["3"] == staffing.OPEN         # a device that acted 5 minutes ago
    assert states["4"] == staffing.UNSTAFFED    # a device silent for over an hour
    assert states["5"] == staffing.UNSTAFFED    # paused, and nobody behind it
    assert states["6"] == staffing.OPEN         # serving a citizen
    assert set(states) == set(settings.counters)
    assert staffing.is_open(states["3"]) and not staffing.is_open(states["1"])
    assert staffing.is_staffed(states["1"]) and not staffing.is_staffed(states["2"])


def test_through_the_engine_claim_device_and_sign_out(engine, clock):
    assert set(engine.counter_states().values()) == {staffing.UNSTAFFED}  # the morning before anyone came
    engine.claim_counter("1", "lan", actor=CLERK)
    assert engine.counter_states()["1"] == staffing.OPEN
    engine.set_paused("1", True, actor=CLERK)
    assert engine.counter_states()["1"] == staffing.PAUSED
    engine.set_paused("1", False, actor=CLERK)
    engine.release_counter("1", "lan", actor=CLERK)
    # Signed out, but its last action was a minute ago: the device rule still sees someone there.
    clock.advance(minutes=staffing.DEVICE_RECENT_MINUTES + 1)
    assert engine.counter_states()["1"] == staffing.UNSTAFFED

    issue(engine, clock, "GPLX")
    called = engine.call_next("9", actor=DEVICE)  # quầy 9 run by its device token, nobody signed in
    assert engine.counter_states()["9"] == staffing.OPEN
    engine.start(called["id"], actor=DEVICE, counter_id="9")
    clock.advance(minutes=staffing.DEVICE_RECENT_MINUTES + 30)  # a very long service: still someone there
    assert engine.counter_states()["9"] == staffing.OPEN
    engine.finish(called["id"], actor=DEVICE, counter_id="9")
    clock.advance(minutes=staffing.DEVICE_RECENT_MINUTES + 1)
    assert engine.counter_states()["9"] == staffing.UNSTAFFED


def test_an_idle_claim_is_not_open(engine, clock, settings):
    engine.claim_counter("2", "lan", actor=CLERK)
    clock.advance(minutes=settings.policy.counter_idle_minutes + 1)
    assert engine.counter_states()["2"] == staffing.UNSTAFFED
