"""The rating screen's and the phone's rating routes over HTTP (Flask's test client): who may, what is
refused, nothing written when refused, and the public side letting exactly the phone's rating through."""

from __future__ import annotations

from urllib.parse import urlsplit

from werkzeug.test import Client

from public_side import PublicSide
from tests.web.api_support import assert_error, bearer, counter_token

RATING_1 = "demo-rating-1"


def finish_one(api, counter: str = "1") -> dict:
    ticket = api.issue("KS")
    called = api.post(f"/api/counters/{counter}/call", counter_token(counter), json={"ticket": ticket["id"]})
    assert called.status_code == 200, called.get_json()
    api.act(ticket["id"], "start", counter)
    return api.act(ticket["id"], "finish", counter)


def token_of(ticket: dict) -> str:
    return urlsplit(ticket["status_url"]).path.rsplit("/", 1)[1]


def ratings_rows(api) -> int:
    with api.store.read() as tx:
        return tx.connection.execute("SELECT count(*) FROM ratings").fetchone()[0]


def test_the_rating_device_sees_its_counter_and_rates_the_ticket_just_finished(api):
    clerk = api.sign_in("lan", "1")
    idle = api.get("/rate/1/state", RATING_1).get_json()
    assert idle["counter_name"] == "Quầy số 1" and idle["clerk"] == "lan" and idle["pending"] is None
    assert [level["label"] for level in idle["rating"]["vi"]["levels"]] == [
        "Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng", "Rất không hài lòng"]
    ticket = api.issue("KS")
    called = clerk.post("/api/counters/1/next").get_json()
    clerk.post(f"/api/tickets/{called['id']}/start")
    assert clerk.post(f"/api/tickets/{called['id']}/finish").status_code == 200
    pending = api.get("/rate/1/state", RATING_1).get_json()["pending"]
    assert pending["ticket_id"] == ticket["id"] and 0 < pending["seconds_left"] <= 30
    rated = api.post("/rate/1/ratings", RATING_1, json={"ticket": ticket["id"], "level": 5,
                                                        "reasons": ["thai_do"]})
    assert rated.status_code == 201, rated.get_json()
    assert rated.get_json() == {"ticket_id": ticket["id"], "level": 5, "levels": 5, "channel": "device"}
    with api.store.read() as tx:
        [event] = tx.events(kinds=("rated",))
    assert event["actor"] == "rating:1" and event["details"]["clerk"] == "lan"
    # The clerk reads the ticket back: its history has no rating in it.
    history = api.get(f"/api/tickets/{ticket['id']}", counter_token("1")).get_json()["history"]
    assert "rated" not in [entry["kind"] for entry in history]
    assert api.get("/rate/1/state", RATING_1).get_json()["pending"] is None


def test_refused_ratings_write_nothing(api):
    done = finish_one(api)
    waiting = api.issue("KS")
    cases = [
        ({"ticket": done["id"], "level": 6}, 400, "level_out_of_range"),
        ({"ticket": done["id"], "level": 0}, 400, "level_out_of_range"),
        ({"ticket": done["id"], "level": "5"}, 400, "invalid_field"),
        ({"ticket": done["id"], "level": True}, 400, "invalid_field"),
        ({"ticket": done["id"]}, 400, "missing_field"),
        ({"ticket": done["id"], "level": 1, "reasons": ["thai_do"]}, 400, "reasons_not_asked"),
        ({"ticket": done["id"], "level": 5, "reasons": ["tên công dân"]}, 400, "unknown_reason"),
        ({"ticket": done["id"], "level": 1, "note": "x"}, 400, "unknown_field"),
        ({"ticket": waiting["id"], "level": 1}, 409, "not_done"),
        ({"ticket": 999999, "level": 1}, 404, "ticket_not_found"),
    ]
    with api.unchanged():
        for payload, status, code in cases:
            assert_error(api.post("/rate/1/ratings", RATING_1, json=payload), status, code)
        # another counter's rating device, at its own URL and at counter 1's
        assert_error(api.post("/rate/2/ratings", "demo-rating-2", json={"ticket": done["id"], "level": 1}),
                     403, "wrong_counter")
        assert_error(api.post("/rate/1/ratings", "demo-rating-2", json={"ticket": done["id"], "level": 1}),
                     403, "wrong_counter")
        # the counter's own token, a kiosk, nobody: a rating is the citizen's, not the desk's
        for token, code in ((counter_token("1"), "forbidden_role"), ("demo-kiosk-1", "forbidden_role")):
            assert_error(api.post("/rate/1/ratings", token, json={"ticket": done["id"], "level": 1}), 403, code)
            assert_error(api.get("/rate/1/state", token), 403, code)
        assert_error(api.post("/rate/1/ratings", json={"ticket": done["id"], "level": 1}), 401, "unauthenticated")
    assert ratings_rows(api) == 0
    assert api.post("/rate/1/ratings", RATING_1, json={"ticket": done["id"], "level": 2}).status_code == 201
    with api.unchanged():
        assert_error(api.post("/rate/1/ratings", RATING_1, json={"ticket": done["id"], "level": 1}),
                     409, "already_rated")
        assert_error(api.client.post(f"/t/{token_of(done)}/rating", json={"level": 1}), 409, "already_rated")
    assert ratings_rows(api) == 1


def test_the_clerk_cannot_rate_at_the_rating_route(api):
    done = finish_one(api)
    clerk = api.sign_in("lan", "1")
    with api.unchanged():
        assert_error(clerk.post("/rate/1/ratings", json={"ticket": done["id"], "level": 1}), 403, "forbidden_role")


def test_the_phone_rates_once_after_the_ticket_is_done(api):
    ticket = api.issue("KS")
    token = token_of(ticket)
    assert api.client.get(f"/t/{token}/rating").get_json()["open"] is False
    with api.unchanged():
        assert_error(api.client.post(f"/t/{token}/rating", json={"level": 1}), 409, "not_done")
    api.call_next("1")
    api.act(ticket["id"], "start")
    api.act(ticket["id"], "finish")
    state = api.client.get(f"/t/{token}/rating").get_json()
    assert state["open"] is True and state["rated"] is False and len(state["levels"]) == 5
    with api.unchanged():
        assert_error(api.client.post(f"/t/{token}/rating", data='{"level": 1}', content_type="text/plain"),
                     400, "json_required")
        assert_error(api.client.post(f"/t/{token}/rating", json={"level": 1},
                                     headers={"Origin": "http://evil.example"}), 403, "cross_site")
        assert_error(api.client.post(f"/t/{token}/rating", json={"level": 9}), 400, "level_out_of_range")
        assert_error(api.client.post("/t/AAAAAAAAAAAAAAAAAAAAAA/rating", json={"level": 1}), 404, "ticket_not_found")
    answer = api.client.post(f"/t/{token}/rating", json={"level": 4, "reasons": ["thoi_gian"]},
                             headers={"Origin": "http://localhost"})
    assert answer.status_code == 201, answer.get_json()
    after = api.client.get(f"/t/{token}/rating").get_json()
    assert (after["open"], after["rated"]) == (False, True)
    with api.store.read() as tx:
        [event] = tx.events(kinds=("rated",))
    assert event["actor"] == "phone" and event["details"]["channel"] == "phone"
    assert event["details"]["reasons"] == ["thoi_gian"]


def test_the_public_side_lets_the_phone_rate_and_nothing_else_write(api):
    done = finish_one(api)
    public = Client(PublicSide(api.app))
    token = token_of(done)
    assert public.get(f"/t/{token}/rating").status_code == 200
    # the rating screen's routes are staff-side only, whatever the credentials
    assert public.get("/rate/1/state", headers=bearer(RATING_1)).status_code == 404
    assert public.post("/rate/1/ratings", headers=bearer(RATING_1),
                       json={"ticket": done["id"], "level": 1}).status_code == 404
    assert public.get("/rate/1").status_code == 404
    assert public.post(f"/t/{token}/state", json={}).status_code == 404  # a POST elsewhere stays refused
    answer = public.post(f"/t/{token}/rating", json={"level": 1})
    assert answer.status_code == 201, answer.get_json()
    assert ratings_rows(api) == 1


def test_the_feed_says_someone_rated_but_not_which_ticket_nor_how(api):
    socketio = api.app.extensions["xephang"].socketio
    staff = socketio.test_client(api.app, auth={"token": counter_token("1")})
    staff.get_received()
    done = finish_one(api)
    api.post("/rate/1/ratings", RATING_1, json={"ticket": done["id"], "level": 5, "reasons": ["thai_do"]})
    realtime = api.app.extensions["xephang"].realtime
    # the pusher is a background task in threading mode: drain the outbox by hand, as it would
    while not realtime.outbox.empty():
        batch = realtime.outbox.get()
        for row in batch or []:
            realtime.push(row)
    rated = [args["args"][0] for args in staff.get_received() if args["name"] == "event"
             and args["args"][0]["kind"] == "rated"]
    assert rated and all(e["ticket_id"] is None and e["details"] == {} and e["service"] is None for e in rated)
    assert rated[0]["counter"] == "1"
    staff.disconnect()
