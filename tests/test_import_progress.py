"""Import progress as a GraphQL subscription over graphql-transport-ws (the token in connection_init,
as browsers must send it)."""

from __future__ import annotations

import asyncio

from dialer.graphql.leads import imports
from tests.conftest import ADMIN
from tests.leads_helpers import new_list, start_import

SUBSCRIBE = "subscription($id: ID!) { importProgress(id: $id) { status progressPct total accepted } }"


def messages(client, job_id: str, init: dict) -> list[dict]:
    with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as socket:
        socket.send_json({"type": "connection_init", "payload": init})
        assert socket.receive_json()["type"] == "connection_ack"
        socket.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE, "variables": {"id": job_id}}})
        seen = []
        while True:
            message = socket.receive_json()
            seen.append(message)
            if message["type"] in ("complete", "error"):
                return seen


def test_progress_streams_until_the_job_ends(client, monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 10)
    real_store = imports._store

    async def slow_store(*args, **kwargs):  # slow enough that the subscriber sees the job mid-way
        await asyncio.sleep(0.1)
        return await real_store(*args, **kwargs)

    monkeypatch.setattr(imports, "_store", slow_store)
    list_id = new_list(client)
    body = "phone\n" + "".join(f"212555{n:04d}\n" for n in range(100, 150))
    job = start_import(client, list_id, body.encode())
    seen = messages(client, job["id"], {"Authorization": ADMIN["Authorization"]})
    updates = [m["payload"]["data"]["importProgress"] for m in seen if m["type"] == "next"]
    assert seen[-1]["type"] == "complete"
    assert updates[-1] == {"status": "done", "progressPct": 100.0, "total": 50, "accepted": 50}
    totals = [u["total"] for u in updates]
    assert len(updates) >= 3 and totals == sorted(totals)  # several updates, never going backwards
    assert any(u["status"] == "running" for u in updates)


def test_a_subscription_needs_a_token(client):
    list_id = new_list(client)
    job = start_import(client, list_id, b"phone\n2125550100\n")
    seen = messages(client, job["id"], {})
    errors = seen[-1]["payload"] if seen[-1]["type"] == "error" else seen[0]["payload"]["errors"]
    assert errors[0]["extensions"]["code"] == "unauthorized"
