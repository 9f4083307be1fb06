"""One ticket's estimate is the same figure on the kiosk's card before the tap, on the paper, on the phone
page and in the API (README "How the wait estimate works"), for a long wait with a range."""

from __future__ import annotations

from kiosk.printing import ticket_print
from tests.web.api_support import KIOSK_2, counter_token
from wording import wait_words


def test_kiosk_card_paper_phone_and_api_agree(api):
    assert api.post("/api/counters/9/next", counter_token("9")).status_code == 204   # quầy 9 is staffed
    for _ in range(5):
        api.issue("GPLX", token=KIOSK_2)                 # quầy 9 alone, 8 min each by default: 40 min
    card = next(s for s in api.get("/kiosk/kiosk-2/services", KIOSK_2).get_json()["services"] if s["code"] == "GPLX")
    promised = (card["people_ahead"], card["eta_minutes"], card["eta_low"], card["eta_high"])
    assert promised[:2] == (5, 40) and promised[2] < 40 < promised[3]   # a long wait: a range

    ticket = api.issue("GPLX", token=KIOSK_2)
    issued = (ticket["position"], ticket["eta_minutes"], ticket["eta_low"], ticket["eta_high"])
    stored = ticket["estimate"]
    paper = ticket_print(api.engine.settings, ticket)
    phone = api.client.get(f"/t/{ticket['status_url'].rsplit('/', 1)[1]}/state").get_json()
    shown = api.get(f"/api/tickets/{ticket['id']}", counter_token("9")).get_json()
    assert issued == promised
    assert (stored["ahead"], stored["minutes"], stored["low"], stored["high"]) == promised
    assert (paper.people_ahead, paper.eta_minutes, paper.eta_low, paper.eta_high) == promised
    for live in (phone, shown):
        assert (live["position"], live["eta_minutes"], live["eta_low"], live["eta_high"]) == promised
        assert live["estimate"] == stored
    words = wait_words(*promised[:2], low=promised[2], high=promised[3])
    assert f"{promised[2]}–{promised[3]} phút" in words["wait"]
    page = api.client.get(ticket["status_url"].split("8081", 1)[1]).get_data(as_text=True)
    assert f"{promised[2]}–{promised[3]} phút" in page
