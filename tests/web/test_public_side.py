"""The public side (server.py --public-port, public_side.py): the lobby Wi-Fi reaches the status pages and
nothing else. Real server process, real listeners over loopback, real Socket.IO clients."""

from __future__ import annotations

import http.client
import re
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import socketio

from bench.server import free_port
from public_side import PUBLIC_ENDPOINTS, PUBLIC_WRITES
from tests.conftest import LiveServer, quiet_kiosks_config

SECURITY = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")


@pytest.fixture(scope="module")
def two_sides(tmp_path_factory):
    """One centre on two listeners, with a called ticket (so that its routes have real values)."""
    directory = tmp_path_factory.mktemp("public-side")
    public_port = free_port()
    server = LiveServer(directory / "queue.db", config=quiet_kiosks_config(directory),
                        options=("--public-host", "127.0.0.1", "--public-port", str(public_port)))
    server.command("seed-demo")
    server.start()
    server.public_url = f"http://127.0.0.1:{public_port}"
    kiosk, counter = server.headers("demo-kiosk-1"), server.headers("demo-counter-1")
    requests.post(f"{server.url}/api/tickets", json={"service": "KS"}, headers=kiosk, timeout=10).raise_for_status()
    waiting = requests.post(f"{server.url}/api/tickets", json={"service": "KS"}, headers=kiosk, timeout=10).json()
    called = requests.post(f"{server.url}/api/counters/1/next", headers=counter, timeout=10).json()
    server.ticket, server.waiting = called, waiting
    server.token = urlsplit(waiting["status_url"]).path.rsplit("/", 1)[1]
    server.call_seq = requests.get(f"{server.url}/api/state", timeout=10).json()["seq"]
    yield server
    server.stop()


@pytest.fixture(scope="module")
def url_map(tmp_path_factory):
    """The app's routes, from an app built in this process over the same config."""
    from app import create_app
    from core.settings import load_settings

    directory = tmp_path_factory.mktemp("url-map")
    app = create_app(load_settings(quiet_kiosks_config(directory)), str(directory / "queue.db"))
    STATIC_FILES.update(_a_file_of_each_static_folder(app))
    yield app.url_map
    app.extensions["xephang"].realtime.stop()


STATIC_FILES: dict[str, str] = {}  # static endpoint → a file it serves (filled by the url_map fixture)


def _a_file_of_each_static_folder(app) -> dict[str, str]:
    """Every screen's static endpoint with one real file of it, so a new screen is covered unasked."""
    folders = {"static": app.static_folder}
    folders.update({f"{name}.static": blueprint.static_folder for name, blueprint in app.blueprints.items()
                    if blueprint.static_folder})
    files = {}
    for endpoint, folder in folders.items():
        names = sorted(path.name for path in Path(folder).iterdir() if path.is_file()) if folder else []
        if names:
            files[endpoint] = names[0]
    return files


def sample_path(rule, server) -> str:
    """The rule with real values: the called ticket, the waiting ticket's token, counter 1, display-1…"""
    filenames = STATIC_FILES
    values = {"ticket_id": str(server.ticket["id"]), "token": server.token, "action": "recall",
              "counter_id": "1", "display_id": "display-1", "kiosk_id": "kiosk-1", "seq": str(server.call_seq),
              "filename": filenames.get(rule.endpoint, ""),
              "code": "KS", "group_id": "ho-tich", "day": "2031-01-01"}
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", lambda match: values[match.group(1)], rule.rule)


def routes(url_map):
    return sorted(((rule, method) for rule in url_map.iter_rules() for method in sorted(rule.methods - {"OPTIONS"})),
                  key=lambda pair: (pair[0].rule, pair[1]))


def test_every_staff_route_answers_404_on_the_public_side(two_sides, url_map):
    headers = two_sides.headers("demo-counter-1")  # a device's credentials open nothing there either
    refused = []
    for rule, method in routes(url_map):
        if rule.endpoint in PUBLIC_ENDPOINTS or (rule.endpoint, method) in PUBLIC_WRITES:
            continue  # the next test (and the rating's own, tests/web/test_rating_phone.py); static routes are tried with files the status page does not load
        path = sample_path(rule, two_sides)
        if method in ("GET", "HEAD"):  # the route is real: the staff side serves it
            staff = requests.request(method, two_sides.url + path, headers=headers, timeout=10,
                                     allow_redirects=False)
            assert staff.status_code != 404, (method, path, staff.text[:200])
        body = {} if method not in ("GET", "HEAD") else None
        public = requests.request(method, two_sides.public_url + path, headers=headers, json=body, timeout=10,
                                  allow_redirects=False)
        assert public.status_code == 404, (method, path, public.status_code)
        if method != "HEAD":
            assert public.json() == {"error": "not_found", "message": "Không tìm thấy địa chỉ này."}
        assert all(name in public.headers for name in SECURITY), (method, path)
        refused.append((method, path))
    assert len(refused) > 40  # every route of the app, not a handful


def test_the_status_page_and_what_it_loads_answer_on_the_public_side(two_sides):
    base = two_sides.public_url
    page = requests.get(f"{base}/t/{two_sides.token}", timeout=10)
    assert page.status_code == 200 and two_sides.waiting["number"] in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert requests.get(f"{base}/t/{two_sides.token}/state", timeout=10).json()["id"] == two_sides.waiting["id"]
    qr = requests.get(f"{base}/t/{two_sides.token}/qr.svg", timeout=10)
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")
    assert requests.get(f"{base}/t/AAAAAAAAAAAAAAAAAAAAAA", timeout=10).status_code == 404  # unknown ticket
    loaded = set(re.findall(r'(?:href|src)="(/[^"]+)"', page.text))
    assert {"/static/xh.css", "/static/vendor/socket.io.min.js", "/kiosk-static/status.css",
            "/kiosk-static/status.js"} <= loaded
    for path in [*loaded, "/static/feed.js"]:
        response = requests.get(base + path, timeout=10)
        assert response.status_code == 200, path
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert all(name in response.headers for name in SECURITY), path


@pytest.mark.parametrize("path", [
    "/socket.io/../api/state", "/t/x/../../api/state", "//api/state", "/api/state/", "/static/../api/state",
    "/kiosk-static/../counter/login", "/static/%2e%2e/api/state", "/T/abc", "/t/", "/socket.io",
])
def test_tricky_paths_do_not_reach_the_staff_side(two_sides, path):
    host, port = urlsplit(two_sides.public_url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)  # sends the path exactly as written
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read().decode("utf-8", "replace")
    connection.close()
    assert response.status >= 400 and '"counters"' not in body and "password" not in body, (path, body[:200])


def connect(url: str, auth: dict, transport: str = "websocket"):
    """A Socket.IO client and what it received; raises socketio.exceptions.ConnectionError when refused."""
    client = socketio.Client(reconnection=False)
    received = {"snapshot": [], "ticket": [], "event": []}
    arrived = threading.Event()
    for name in received:
        client.on(name, lambda data, name=name: (received[name].append(data), arrived.set()))
    client.connect(url, auth=auth, transports=[transport], wait_timeout=10)
    return client, received, arrived


@pytest.mark.parametrize("auth", [{}, {"display": "display-1"}, {"counter": "1"}, {"ticket": ""},
                                  {"ticket": "AAAAAAAAAAAAAAAAAAAAAA"}, {"ticket": 12}])
def test_the_public_socket_refuses_everyone_who_does_not_follow_a_ticket(two_sides, auth):
    with pytest.raises(socketio.exceptions.ConnectionError):
        connect(two_sides.public_url, auth)


def test_the_staff_socket_still_gives_the_centre_feed(two_sides):
    client, received, arrived = connect(two_sides.url, {})
    try:
        assert arrived.wait(10) and received["snapshot"]
        received["snapshot"].clear()
        arrived.clear()
        client.call("resync", timeout=10)
        # Resyncs are answered at most once a second per client (realtime.py): wait for it, do not assume.
        assert arrived.wait(5) and received["snapshot"], "the staff side answers resync with a snapshot"
    finally:
        client.disconnect()


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_a_phone_follows_its_ticket_on_the_public_socket_and_gets_nothing_else(two_sides, transport):
    client, received, arrived = connect(two_sides.public_url, {"ticket": two_sides.token}, transport)
    try:
        assert arrived.wait(10) and received["ticket"][0]["id"] == two_sides.waiting["id"]
        client.call("resync", timeout=10)  # the answer comes after anything the handler emitted
        assert received["snapshot"] == [] and received["event"] == []
    finally:
        client.disconnect()
