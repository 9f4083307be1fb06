"""GET /api/openapi.json describes exactly the API the app registers; unknown addresses answer in JSON."""

from __future__ import annotations

import re

import pytest

from tests.web.api_support import assert_error

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# Routes under those prefixes that answer a page, a file or audio, not JSON; every other one must be documented.
PAGES = {"counter.screen", "counter.login", "counter.static", "display.index", "display.lobby",
         "display.counter_screen", "display.logo", "display.static", "display.chime", "display.call_audio", "kiosk.static",
         "kiosk.screen", "rate.screen", "rate.static", "display.board", "display.dossier_board"}
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}



@pytest.fixture
def document(api) -> dict:
    response = api.client.get("/api/openapi.json")  # public: no credentials
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def openapi_path(rule: str) -> str:
    """Werkzeug's /api/tickets/<int(max=…):ticket_id> as OpenAPI's /api/tickets/{ticket_id}."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>:]+)>", r"{\1}", rule)


def test_document_is_openapi_3_1(document):
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"] and document["info"]["version"]
    schemes = document["components"]["securitySchemes"]
    assert schemes["device"] == {"type": "http", "scheme": "bearer"}
    assert schemes["session"]["type"] == "apiKey" and schemes["session"]["in"] == "cookie"
    for path, item in document["paths"].items():
        assert path.startswith(("/api/", "/display/", "/kiosk/", "/counter/", "/rate/"))
        assert set(item) <= HTTP_METHODS | {"parameters", "summary", "description"}, path
        declared = {p["name"] for p in item.get("parameters", [])}
        for method in set(item) & HTTP_METHODS:
            operation = item[method]
            assert operation["summary"], (method, path)
            assert any(code.startswith("2") for code in operation["responses"]), (method, path)
            for code, response in operation["responses"].items():
                assert re.fullmatch(r"[1-5]\d\d", code) and response["description"], (method, path, code)
                if code[0] in "45":
                    schema = response["content"]["application/json"]["schema"]
                    assert set(schema["required"]) == {"error", "message"}
            for requirement in operation.get("security", []):
                assert set(requirement) <= set(schemes)
            declared |= {p["name"] for p in operation.get("parameters", [])}
            for parameter in operation.get("parameters", []):
                assert parameter["in"] == "path" and parameter["required"] is True and "schema" in parameter
        assert declared == set(re.findall(r"{(\w+)}", path)), path


def test_document_lists_every_api_route_and_nothing_else(api, document):
    registered = {(openapi_path(rule.rule), method.lower())
                  for rule in api.app.url_map.iter_rules()
                  if rule.rule.startswith(("/api/", "/display", "/kiosk", "/counter", "/rate")) and rule.endpoint not in PAGES
                  for method in rule.methods - IGNORED_METHODS}
    documented = {(path, method) for path, item in document["paths"].items() for method in set(item) & HTTP_METHODS}
    assert documented == registered


def test_document_uses_this_centres_services_priorities_and_counters(document, settings):
    issue = document["paths"]["/api/tickets"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert issue["required"] == ["service"]
    assert issue["properties"]["service"]["enum"] == list(settings.services)
    assert issue["properties"]["priority"]["enum"] == [*settings.priority_groups, None]
    counter_id = document["paths"]["/api/counters/{counter_id}/next"]["post"]["parameters"][0]
    assert counter_id["schema"]["enum"] == list(settings.counters)
    action = document["paths"]["/api/tickets/{ticket_id}/{action}"]["post"]["parameters"][1]
    assert set(action["schema"]["enum"]) == {"recall", "start", "finish", "no-show", "transfer", "cancel", "return"}


def test_public_operations_are_the_ones_marked_without_security(document):
    public = {(path, method) for path, item in document["paths"].items() for method, operation in item.items()
              if method in HTTP_METHODS and "security" not in operation}
    assert public == {("/api/state", "get"), ("/api/session", "post"), ("/api/session", "get"),
                      ("/api/openapi.json", "get"), ("/display/notice", "get"),
                      ("/display/{display_id}/state.json", "get"), ("/display/audio/call/{seq}.json", "get"),
                      ("/display/{display_id}/board.json", "get"), ("/display/{display_id}/dossiers.json", "get")}


@pytest.mark.parametrize("method, path, status, code", [
    ("GET", "/api/nothing-here", 404, "not_found"),
    ("POST", "/api/tickets/1/start/now", 404, "not_found"),
    ("GET", "/api/counters/1", 404, "not_found"),
    ("GET", "/api/tickets", 405, "method_not_allowed"),
    ("PUT", "/api/tickets/1", 405, "method_not_allowed"),
    ("DELETE", "/api/state", 405, "method_not_allowed"),
    ("GET", "/api/counters/1/next", 405, "method_not_allowed"),
    ("POST", "/api/openapi.json", 405, "method_not_allowed"),
], ids=lambda value: str(value))
def test_unknown_api_addresses_and_methods_answer_in_json(api, method, path, status, code):
    response = api.client.open(path, method=method)
    assert_error(response, status, code)
    if status == 405:
        assert response.headers["Allow"]  # RFC 9110: a 405 names the methods that would work


def test_405_names_the_allowed_methods(api):
    assert set(api.client.get("/api/tickets").headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert "GET" in api.client.post("/api/counters/1/waiting").headers["Allow"]


def test_unknown_page_outside_the_api_is_not_json(api):
    response = api.client.get("/no-such-page")
    assert response.status_code == 404
    assert not response.is_json  # a person's browser gets Werkzeug's page, not an API error


def test_sign_in_body_refuses_extra_fields_as_the_server_does(api, document):
    schema = document["paths"]["/api/session"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert schema["additionalProperties"] is False
    response = api.client.post("/api/session", json={"name": "lan", "password": "x", "remember": True})
    assert_error(response, 400, "unknown_field")
