"""Queues, agents and tiers over REST and GraphQL: the contract's bodies, validation, conflicts."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN, bearer

CONTRACT_QUEUE = {
    "name": "sales",
    "strategy": "longest-idle-agent",
    "moh": "local_stream://moh",
    "tierRules": {"apply": True, "waitSecond": 15, "waitMultiplyLevel": True},
    "wrapUpSec": 3,
    "noAnswerDelaySec": 2,
}
CONTRACT_AGENT = {"name": "1001", "contact": "user/1001", "type": "callback"}


def test_contract_queue_agent_and_tier(client):
    queue = client.post("/api/v1/queues", json=CONTRACT_QUEUE, headers=ADMIN)
    assert queue.status_code == 201, queue.text
    body = queue.json()
    assert {k: body[k] for k in CONTRACT_QUEUE} == CONTRACT_QUEUE
    agent = client.post("/api/v1/agents", json=CONTRACT_AGENT, headers=ADMIN)
    assert agent.status_code == 201, agent.text
    assert agent.json()["status"] == "Logged Out" and agent.json()["type"] == "callback"
    tier = client.post("/api/v1/queues/sales/tiers", json={"agent": "1001", "level": 1, "position": 1}, headers=ADMIN)
    assert tier.status_code == 201 and tier.json() == {"queue": "sales", "agent": "1001", "level": 1, "position": 1}
    listed = client.get("/api/v1/queues", headers=bearer("viewer")).json()
    assert [q["name"] for q in listed["items"]] == ["sales"] and listed["next"] is None
    assert client.get("/api/v1/queues/sales/tiers", headers=ADMIN).json() == [tier.json()]
    audit = client.get("/api/v1/audit", headers=ADMIN).json()["items"]
    assert {e["action"] for e in audit} >= {"queue.create", "agent.create", "queue.tier.add"}


@pytest.mark.parametrize("status", ["Available", "Logged Out", "On Break", "Wrapup"])
def test_agent_status_takes_the_contract_values(client, status):
    client.post("/api/v1/agents", json=CONTRACT_AGENT, headers=ADMIN)
    response = client.patch("/api/v1/agents/1001/state", json={"status": status}, headers=ADMIN)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == status
    assert client.get("/api/v1/agents/1001", headers=bearer("agent")).json()["status"] == status


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/queues", CONTRACT_QUEUE | {"strategy": "fastest"}, "strategy"),
        ("/queues", CONTRACT_QUEUE | {"name": "sales team"}, "name"),
        ("/queues", CONTRACT_QUEUE | {"moh": "local stream"}, "moh"),
        ("/queues", CONTRACT_QUEUE | {"wrapUpSec": -1}, "wrapUpSec"),
        ("/agents", CONTRACT_AGENT | {"type": "robot"}, "type"),
        ("/agents", CONTRACT_AGENT | {"contact": "user/'1001"}, "contact"),
        ("/agents", CONTRACT_AGENT | {"name": ""}, "name"),
    ],
)
def test_bad_bodies_are_400_and_change_nothing(client, path, body, field):
    response = client.post(f"/api/v1{path}", json=body, headers=ADMIN)
    assert response.status_code == 400, response.text
    assert field in response.json()["error"]["details"]["fields"]
    assert client.get(f"/api/v1{path}", headers=ADMIN).json()["items"] == []


def test_bad_status_and_unknowns(client):
    client.post("/api/v1/agents", json=CONTRACT_AGENT, headers=ADMIN)
    bad = client.patch("/api/v1/agents/1001/state", json={"status": "Asleep"}, headers=ADMIN)
    assert bad.status_code == 400 and "status" in bad.json()["error"]["details"]["fields"]
    missing = client.patch("/api/v1/agents/2002/state", json={"status": "Available"}, headers=ADMIN)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    no_queue = client.post("/api/v1/queues/nope/tiers", json={"agent": "1001"}, headers=ADMIN)
    assert no_queue.status_code == 404
    client.post("/api/v1/queues", json=CONTRACT_QUEUE, headers=ADMIN)
    no_agent = client.post("/api/v1/queues/sales/tiers", json={"agent": "9999"}, headers=ADMIN)
    assert no_agent.status_code == 404


def test_duplicates_are_conflicts(client):
    assert client.post("/api/v1/queues", json=CONTRACT_QUEUE, headers=ADMIN).status_code == 201
    assert client.post("/api/v1/queues", json=CONTRACT_QUEUE, headers=ADMIN).status_code == 409
    assert client.post("/api/v1/agents", json=CONTRACT_AGENT, headers=ADMIN).status_code == 201
    assert client.post("/api/v1/agents", json=CONTRACT_AGENT, headers=ADMIN).status_code == 409
    tier = {"agent": "1001"}
    assert client.post("/api/v1/queues/sales/tiers", json=tier, headers=ADMIN).status_code == 201
    again = client.post("/api/v1/queues/sales/tiers", json=tier, headers=ADMIN)
    assert again.status_code == 409 and again.json()["error"]["details"]["level"] == 1


def test_an_agent_may_set_its_status_but_not_create_queues(client):
    client.post("/api/v1/agents", json=CONTRACT_AGENT, headers=ADMIN)
    assert (
        client.patch("/api/v1/agents/1001/state", json={"status": "On Break"}, headers=bearer("agent")).status_code
        == 200
    )
    assert client.post("/api/v1/queues", json=CONTRACT_QUEUE, headers=bearer("agent")).status_code == 403


def test_graphql_names_match(client):
    client.post("/api/v1/queues", json=CONTRACT_QUEUE, headers=ADMIN)
    response = client.post(
        "/graphql",
        json={"query": '{ queue(name: "sales") { name strategy tierRules { apply waitSecond waitMultiplyLevel } } }'},
        headers=ADMIN,
    )
    assert response.json()["data"]["queue"] == {
        "name": "sales",
        "strategy": "longest-idle-agent",
        "tierRules": {"apply": True, "waitSecond": 15, "waitMultiplyLevel": True},
    }
