"""Audit: every mutation leaves one entry in its own transaction; GET filters and pages; POST
records external events; nothing updates or deletes entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dialer.graphql.schema import schema
from tests.conftest import ADMIN, AUDIT_EVENT, CONTRACT_CAMPAIGN, bearer


def entries(client, **params) -> list[dict]:
    response = client.get("/api/v1/audit", params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_each_change_is_recorded_with_actor_ip_action_target_and_details(client):
    headers = bearer("supervisor", "sam")
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=headers)
    client.patch("/api/v1/campaigns/cmp_1", json={"pacing": 4}, headers=headers)
    for action in ("start", "pause", "stop"):
        client.post(f"/api/v1/campaigns/cmp_1/{action}", headers=headers)
    found = entries(client)
    assert [e["action"] for e in found] == [
        "campaign.stop",
        "campaign.pause",
        "campaign.start",
        "campaign.update",
        "campaign.create",
    ]
    for entry in found:
        assert entry["actorId"] == "sam" and entry["recordedBy"] == "sam" and entry["source"] == "api"
        assert entry["actorIp"] == "127.0.0.1"  # the peer the test client claims
        assert (entry["targetType"], entry["targetId"]) == ("campaign", "cmp_1")
    assert found[3]["details"] == {"changed": {"pacing": {"from": 2.0, "to": 4.0}}}
    assert found[2]["details"] == {"from": "paused", "to": "running"}
    assert found[4]["details"]["campaign"]["name"] == "Ventas Q1"


def test_every_mutation_field_is_audited_or_is_the_audit_record():
    from dialer.graphql.operations import AuditedMutation

    for name, field in schema._schema.mutation_type.fields.items():
        extensions = field.extensions["strawberry-definition"].extensions
        audited = [e for e in extensions if isinstance(e, AuditedMutation)]
        assert audited, f"{name} is not wrapped in AuditedMutation"
        # The audit record itself, and CDRs (each is its own record, one per call).
        assert audited[0].action or name in ("recordAuditEvent", "ingestCdr"), f"{name} names no audit action"


def test_refused_and_failed_requests_leave_no_entry(client):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=bearer("viewer"))
    client.post("/api/v1/campaigns", json={**CONTRACT_CAMPAIGN, "pacing": -1}, headers=ADMIN)
    client.post("/api/v1/campaigns/cmp_1/start", headers=ADMIN)
    assert entries(client) == []


def test_filters(client):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=bearer("admin", "alice"))
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=bearer("supervisor", "bob"))
    client.post("/api/v1/campaigns/cmp_2/start", headers=bearer("supervisor", "bob"))
    assert len(entries(client, actor="bob")) == 2
    assert [e["targetId"] for e in entries(client, action="campaign.create")] == ["cmp_2", "cmp_1"]
    assert len(entries(client, targetType="campaign", targetId="cmp_2")) == 2
    now = datetime.now(UTC)
    assert len(entries(client, **{"from": (now - timedelta(minutes=5)).isoformat()})) == 3
    assert entries(client, **{"from": (now + timedelta(minutes=5)).isoformat()}) == []
    assert len(entries(client, to=(now + timedelta(minutes=5)).isoformat())) == 3


def test_bad_filters_are_400(client):
    now = datetime.now(UTC)
    later = now + timedelta(hours=1)
    inverted = client.get("/api/v1/audit", params={"from": later.isoformat(), "to": now.isoformat()}, headers=ADMIN)
    assert inverted.status_code == 200 and inverted.json()["items"] == []
    assert client.get("/api/v1/audit", params={"from": "yesterday"}, headers=ADMIN).status_code == 400
    assert client.get("/api/v1/audit", params={"page": "%%%"}, headers=ADMIN).status_code == 400


def test_pages_with_the_contract_page_parameter(client):
    for _ in range(5):
        client.post("/api/v1/audit", json=AUDIT_EVENT, headers=ADMIN)
    first = client.get("/api/v1/audit", params={"limit": 2}, headers=ADMIN).json()
    second = client.get("/api/v1/audit", params={"limit": 2, "page": first["next"]}, headers=ADMIN).json()
    third = client.get("/api/v1/audit", params={"limit": 2, "page": second["next"]}, headers=ADMIN).json()
    ids = [e["id"] for page in (first, second, third) for e in page["items"]]
    assert ids == ["aud_5", "aud_4", "aud_3", "aud_2", "aud_1"] and third["next"] is None


def test_external_event_is_recorded_as_posted(client):
    response = client.post("/api/v1/audit", json=AUDIT_EVENT, headers=bearer("integration", "crm"))
    assert response.status_code == 201, response.text
    entry = response.json()
    assert entry["id"] == "aud_1"
    assert {k: entry[k] for k in AUDIT_EVENT} == AUDIT_EVENT
    assert entry["source"] == "external" and entry["recordedBy"] == "crm"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"action": "Start!"}, "action"),
        ({"action": "start"}, "action"),
        ({"action": "campaign.start\n"}, "action"),
        ({"actorIp": "300.1.1.1"}, "actorIp"),
        ({"actorId": ""}, "actorId"),
        ({"details": [1, 2]}, "details"),
        ({"details": {"blob": "x" * 20_000}}, "details"),
        ({"targetId": None}, "targetId"),
        ({"extra": 1}, "extra"),
    ],
)
def test_external_event_validation(client, change, field):
    response = client.post("/api/v1/audit", json={**AUDIT_EVENT, **change}, headers=ADMIN)
    assert response.status_code == 400, response.text
    assert field in response.json()["error"]["details"]["fields"]
    assert entries(client) == []


def test_audit_is_append_only(client):
    client.post("/api/v1/audit", json=AUDIT_EVENT, headers=ADMIN)
    for method in ("PUT", "PATCH", "DELETE"):
        assert client.request(method, "/api/v1/audit", headers=ADMIN).status_code == 400
        assert client.request(method, "/api/v1/audit/aud_1", headers=ADMIN).status_code == 404
    mutations = set(schema._schema.mutation_type.fields)
    assert not {m for m in mutations if "audit" in m.lower()} - {"recordAuditEvent"}
    assert len(entries(client)) == 1
