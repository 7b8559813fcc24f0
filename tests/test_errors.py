"""Every REST error is the contract's envelope, and a failed request changes nothing."""

from __future__ import annotations

import pytest

from dialer.models import AuditEntry, Campaign
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, run


def envelope(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def counts(client) -> tuple[int, int]:
    async def work() -> tuple[int, int]:
        return await Campaign.all().count(), await AuditEntry.all().count()

    return run(client, work)


def test_unknown_route(client):
    error = envelope(client.get("/api/v1/nowhere", headers=ADMIN), 404, "not_found")
    assert error["details"]["path"] == "/api/v1/nowhere"


def test_wrong_method_names_the_allowed_ones(client):
    response = client.delete("/api/v1/campaigns", headers=ADMIN)
    error = envelope(response, 400, "bad_request")
    assert set(error["details"]["allowed"]) >= {"GET", "POST"}
    assert "GET" in response.headers["allow"] and "POST" in response.headers["allow"]
    envelope(client.put("/api/v1/campaigns/cmp_1", headers=ADMIN, json={}), 400, "bad_request")


def test_malformed_json(client):
    error = envelope(
        client.post("/api/v1/campaigns", content=b'{"name": ', headers={**ADMIN, "content-type": "application/json"}),
        400,
        "bad_request",
    )
    assert "malformed JSON" in error["message"]


def test_wrong_content_type(client):
    error = envelope(
        client.post(
            "/api/v1/campaigns",
            content=b"name=x",
            headers={**ADMIN, "content-type": "application/x-www-form-urlencoded"},
        ),
        400,
        "bad_request",
    )
    assert error["details"]["expected"] == "application/json"


def test_missing_body(client):
    envelope(client.post("/api/v1/campaigns", headers=ADMIN), 400, "bad_request")


def test_body_that_is_not_an_object(client):
    error = envelope(client.post("/api/v1/campaigns", json=[1, 2], headers=ADMIN), 400, "bad_request")
    assert error["details"]["fields"]


def test_oversized_body(client):
    huge = {**CONTRACT_CAMPAIGN, "name": "x" * 70_000}
    error = envelope(client.post("/api/v1/campaigns", json=huge, headers=ADMIN), 400, "bad_request")
    assert error["details"]["limitBytes"] == 65536


def test_oversized_body_without_content_length(client):
    def chunks():
        for _ in range(20):
            yield b" " * 4096

    response = client.post("/api/v1/campaigns", content=chunks(), headers={**ADMIN, "content-type": "application/json"})
    envelope(response, 400, "bad_request")


def test_a_body_where_none_is_taken(client):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    envelope(client.post("/api/v1/campaigns/cmp_1/start", json={"now": True}, headers=ADMIN), 400, "bad_request")
    assert client.post("/api/v1/campaigns/cmp_1/start", json={}, headers=ADMIN).status_code == 202


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"abandonCap": 0}, "abandonCap"),
        ({"abandonCap": 1.01}, "abandonCap"),
        ({"pacing": 0}, "pacing"),
        ({"pacing": -2}, "pacing"),
        ({"maxChannels": 0}, "maxChannels"),
        ({"maxChannels": 2.5}, "maxChannels"),
        ({"maxChannels": "10"}, "maxChannels"),
        ({"type": "robocall"}, "type"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": None}, "name"),
        ({"amd": {"minConfidence": 1.5}}, "amd.minConfidence"),
        ({"amd": {"minConfidence": -0.1}}, "amd.minConfidence"),
        ({"amd": {"windowMs": 0}}, "amd.windowMs"),
        ({"amd": {"engine": "magic"}}, "amd.engine"),
        ({"amd": {"detectFax": "yes"}}, "amd.detectFax"),
        ({"amd": {"sensitivity": 3}}, "amd.sensitivity"),
        ({"predictive": {"targetOccupancy": 0}}, "predictive.targetOccupancy"),
        ({"predictive": {"ahtSec": 0}}, "predictive.ahtSec"),
        ({"trunkPolicy": {"weights": {"gw_main": -1}}}, "trunkPolicy.weights"),
        ({"trunkPolicy": {"weights": {"gw_main": 0}}}, "trunkPolicy.weights"),
        ({"trunkPolicy": {"weights": {"gw main": 1}}}, "trunkPolicy.weights"),
        ({"trunkPolicy": {"weights": {"gw_main": 1}, "caps": {"gw_main": 1.5}}}, "trunkPolicy.caps"),
        ({"trunkPolicy": {"weights": {}}}, "trunkPolicy.weights"),
        ({"trunkPolicy": {"weights": []}}, "trunkPolicy.weights"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_validation_names_the_field_and_changes_nothing(client, change, field):
    before = counts(client)
    body = {**CONTRACT_CAMPAIGN, **change}
    error = envelope(client.post("/api/v1/campaigns", json=body, headers=ADMIN), 400, "bad_request")
    assert field in error["details"]["fields"], error
    assert counts(client) == before


def test_required_fields_are_named(client):
    error = envelope(client.post("/api/v1/campaigns", json={"name": "x"}, headers=ADMIN), 400, "bad_request")
    assert {"type", "listId", "queue", "trunkPolicy"} <= set(error["details"]["fields"])
    assert error["details"]["fields"]["queue"] == "required"


def test_a_failed_patch_changes_nothing(client):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    before = client.get("/api/v1/campaigns/cmp_1", headers=ADMIN).json()
    audit_before = counts(client)
    response = client.patch("/api/v1/campaigns/cmp_1", json={"pacing": 5, "abandonCap": 7}, headers=ADMIN)
    envelope(response, 400, "bad_request")
    assert client.get("/api/v1/campaigns/cmp_1", headers=ADMIN).json() == before
    assert counts(client) == audit_before


def test_a_mutation_whose_audit_write_fails_is_rolled_back(client, monkeypatch):
    async def broken(*args, **kwargs):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(AuditEntry, "create", broken)
    error = envelope(client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN), 500, "server_error")
    assert "logged" in error["message"]
    monkeypatch.undo()
    assert counts(client) == (0, 0)


def test_unknown_and_repeated_query_parameters(client):
    error = envelope(client.get("/api/v1/campaigns?stauts=running", headers=ADMIN), 400, "bad_request")
    assert "stauts" in error["details"]["fields"]
    envelope(client.get("/api/v1/campaigns?q=a&q=b", headers=ADMIN), 400, "bad_request")


def test_health_needs_no_token(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200 and response.json()["status"] == "ok"


def test_nul_characters_are_refused_everywhere(client):
    """PostgreSQL cannot store NUL; it must be a 400 on every path, never a 500."""
    body = {**CONTRACT_CAMPAIGN, "name": "bad\x00name"}
    error = envelope(client.post("/api/v1/campaigns", json=body, headers=ADMIN), 400, "bad_request")
    assert error["details"]["fields"] == {"name": "must not contain NUL characters"}
    envelope(client.get("/api/v1/campaigns", params={"q": "a\x00"}, headers=ADMIN), 400, "bad_request")
    envelope(client.get("/api/v1/audit", params={"actor": "\x00"}, headers=ADMIN), 400, "bad_request")
    graphql = client.post(
        "/graphql", json={"query": '{ campaigns(q: "x\\u0000") { nodes { id } } }'}, headers=ADMIN
    ).json()
    assert graphql["errors"][0]["extensions"]["code"] == "bad_request"


def test_audit_details_keep_whatever_json_was_posted(client):
    event = {
        "actorId": "u1",
        "action": "lead.note",
        "targetType": "lead",
        "targetId": "lead_1",
        "details": {"text": "nul \x00 and ünïcödé", "nested": [1, {"a": None}]},
    }
    created = client.post("/api/v1/audit", json=event, headers=ADMIN)
    assert created.status_code == 201, created.text
    stored = client.get("/api/v1/audit", headers=ADMIN).json()["items"][0]
    assert stored["details"] == event["details"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/campaigns/cmp_2676703376209",
        "/api/v1/campaigns/cmp_99999999999999999999999",
        "/api/v1/campaigns/cmp_" + "1" * 5000,
        "/api/v1/campaigns/cmp_²",
        "/api/v1/campaigns/cmp_0",
    ],
)
def test_ids_beyond_any_key_are_404(client, path):
    envelope(client.get(path, headers=ADMIN), 404, "not_found")


def test_cursors_beyond_int32_are_fine(client):
    page = client.get("/api/v1/campaigns", params={"after": "000002676703376209"}, headers=ADMIN)
    assert page.status_code == 200 and page.json() == {"items": [], "next": None}
    envelope(client.get("/api/v1/campaigns", params={"after": "1" * 19}, headers=ADMIN), 400, "bad_request")


def test_graphql_bodies_are_capped_too(client):
    huge = {"query": "{ campaigns { nodes { id } } }", "variables": {"pad": "x" * 70_000}}
    response = client.post("/graphql", json=huge, headers=ADMIN)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "bad_request"

    def chunks():
        yield b'{"query": "{ campaigns { nodes { id } } }", "pad": "'
        for _ in range(20):
            yield b"x" * 4096
        yield b'"}'

    streamed = client.post("/graphql", content=chunks(), headers={**ADMIN, "content-type": "application/json"})
    assert streamed.status_code == 400
