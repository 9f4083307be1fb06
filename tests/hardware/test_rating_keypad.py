"""A serial rating keypad ([[raters]]) wired into the running server: bytes on a pty become ratings.

Real parts: `python server.py` (gevent) with a config.toml whose [[raters]] entry points at a pty's stable
by-id style link, the realtime feed over Socket.IO, the HTTP API, and the database file read back. The
keypad speaks the protocol of hardware/rater.py ('R' digit CR).
"""

from __future__ import annotations

import sqlite3
from urllib.parse import urlsplit

import pytest
import requests

from bench.feed import FeedFollower
from hardware.rater import parse_press, press_frame
from tests.conftest import LiveServer, quiet_kiosks_config
from tests.hardware.counter_scanners import WAIT, PtyScanner, plug_in, wait_until

COUNTER = {"Authorization": "Bearer demo-counter-1"}
RATING = {"Authorization": "Bearer demo-rating-1"}


def test_the_protocol_reads_presses_and_nothing_else():
    assert press_frame(3) == b"R3\r"
    assert [parse_press(text) for text in ("R1", " R5 ", "R0", "R", "3", "R12", "r2", "R3x")] == [
        1, 5, None, None, None, None, None, None]


@pytest.fixture
def keypad_link(tmp_path):
    return tmp_path / "usb-Rating_Keypad_5-if00"


@pytest.fixture
def keypads(keypad_link):
    plugged = [PtyScanner()]  # a pty pair: writing to the master is the keypad sending
    plug_in(keypad_link, plugged[0])
    yield plugged
    for keypad in plugged:
        keypad.unplug()


@pytest.fixture
def server(tmp_path, keypad_link, keypads):
    config = quiet_kiosks_config(tmp_path)
    config.write_text(config.read_text(encoding="utf-8")
                      + f'\n[[raters]]\ncounter = "1"\nurl = "{keypad_link}"\nbaudrate = 9600\nbuttons = 5\n',
                      encoding="utf-8")
    live = LiveServer(tmp_path / "queue.db", config=config)
    live.command("seed-demo")
    live.start()
    yield live
    live.stop()


def keypad_states(server) -> list[str]:
    response = requests.get(f"{server.url}/rate/1/state", headers=RATING, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["keypads"]


def finish_one(server) -> dict:
    ticket = requests.post(f"{server.url}/api/tickets", json={"service": "KS"},
                           headers={"Authorization": "Bearer demo-kiosk-1"}, timeout=10).json()
    called = requests.post(f"{server.url}/api/counters/1/call", json={"ticket": ticket["id"]}, headers=COUNTER,
                           timeout=10)
    assert called.status_code == 200, called.text
    for action in ("start", "finish"):
        assert requests.post(f"{server.url}/api/tickets/{ticket['id']}/{action}", headers=COUNTER,
                             timeout=10).status_code == 200
    return ticket


def wait_for_event(feed, kind: str, after: int) -> dict:
    found = {}

    def arrived(follower):
        for event in follower.events:
            if event["kind"] == kind and event["seq"] > after:
                found["event"] = event
                return True
        return False

    assert feed.wait_for(arrived, timeout=WAIT), f"no {kind}; got {[e['kind'] for e in feed.events]}"
    return found["event"]


def ratings_in_database(server) -> list[tuple]:
    with sqlite3.connect(f"file:{server.db}?mode=ro", uri=True) as connection:
        return [(row[0], row[1], row[2]) for row in connection.execute(
            "SELECT ticket_id, actor, json_extract(details, '$.level') FROM events WHERE kind = 'rated' ORDER BY seq")]


def test_a_pty_keypad_rates_the_ticket_just_finished_and_survives_a_replug(server, keypads, keypad_link):
    feed = FeedFollower(server.url, {"counter": "1", "token": "demo-counter-1"}).connect()
    try:
        assert feed.wait_for(lambda f: f.snapshot is not None)
        wait_until(lambda: keypad_states(server) == ["connected"], "the keypad to connect")

        before = feed.events[-1]["seq"] if feed.events else 0
        first = finish_one(server)
        seq = wait_for_event(feed, "finished", before)["seq"]   # the feed has caught up with the finish
        keypads[0].send(press_frame(2))
        rated = wait_for_event(feed, "rated", seq)
        assert rated["counter"] == "1" and rated["ticket_id"] is None and rated["details"] == {}  # anonymous feed
        assert ratings_in_database(server) == [(first["id"], "rater:1", 2)]

        # Noise, a digit beyond the buttons, a bounce: nothing; then a real press rates the next ticket.
        before = feed.events[-1]["seq"]
        second = finish_one(server)
        seq = wait_for_event(feed, "finished", before)["seq"]   # the feed has caught up with the finish
        keypads[0].send(b"\x00\xffjunk\r" + b"R9\r" + b"X" * 40 + b"\r\n" + press_frame(4) + press_frame(4))
        wait_for_event(feed, "rated", seq)
        token = urlsplit(second["status_url"]).path.rsplit("/", 1)[1]
        phone = requests.get(f"{server.url}/t/{token}/rating", timeout=10).json()
        assert (phone["rated"], phone["open"]) == (True, False)

        # Unplug: a rater_status event for counter 1; replug through the same by-id link: back, and it rates.
        seq = feed.events[-1]["seq"]
        keypads[0].unplug()
        gone = wait_for_event(feed, "rater_status", seq)
        assert (gone["counter"], gone["details"]["status"]) == ("1", "disconnected")
        assert "Bàn phím đánh giá của Quầy số 1 mất kết nối" in gone["details"]["message"]
        assert keypad_states(server) == ["disconnected"]
        replugged = PtyScanner()
        keypads.append(replugged)
        plug_in(keypad_link, replugged)
        back = wait_for_event(feed, "rater_status", gone["seq"])
        assert back["details"]["status"] == "connected"
        third = finish_one(server)
        seq = feed.events[-1]["seq"]
        replugged.send(press_frame(1))
        wait_for_event(feed, "rated", seq)
        # The bounce of the second press was refused: one rating per ticket, in the order pressed.
        assert ratings_in_database(server) == [(first["id"], "rater:1", 2), (second["id"], "rater:1", 4),
                                               (third["id"], "rater:1", 1)]
        assert "Traceback" not in server.log.read_text(errors="replace")
    finally:
        feed.close()
