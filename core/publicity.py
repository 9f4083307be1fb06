"""What public channels may show (issue 8 item 6): the lobby displays, anonymous sockets, /api/state.

Citizens' phones and the lobby's screens see numbers, counters, services, states and device status.
They never see what a clerk typed (a transfer's note, a call's reason: a real note can hold a name and a
CCCD number) nor the status-page links of other people's tickets (each is the key to that ticket's page).
"""

from __future__ import annotations

# An allow-list, so that a new free-text detail stays private until someone decides otherwise.
PUBLIC_DETAILS = frozenset({
    "number", "counter_name", "priority", "out_of_order", "recalls", "kiosk", "status", "can_print", "message",
    "previous", "previous_status", "from_service", "to_service", "to_counter", "moved_to", "display", "text",
    "code", "day",
    "state", "since", "seconds", "refused",  # storage_recovered: how long the database refused writes
})


def public_details(details: dict) -> dict:
    """An event's details without anything outside PUBLIC_DETAILS."""
    return {key: value for key, value in details.items() if key in PUBLIC_DETAILS}


def public_snapshot(snapshot: dict) -> dict:
    """The centre's snapshot without the status-page links (tokens) of the tickets being called."""
    counters = []
    for counter in snapshot.get("counters", []):
        current = counter.get("current")
        if current:
            current = {key: value for key, value in current.items() if key != "status_url"}
        counters.append({**counter, "current": current})
    return {**snapshot, "counters": counters}
