"""POST /cdr as mod_json_cdr sends it: stored once, refused with a reason and kept when malformed,
allow-listed, and recorded on the lead's attempt by the list's retry rules."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import httpx
import pytest

from dialer.freeswitch.sim.cdr import JsonCdrConfig, request_body
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, bearer, run
from tests.leads_helpers import import_csv, new_list

INTEGRATION = bearer("integration", "fs1")
CONTRACT_CDR = {
    "uuid": "c2f5a1de-0000-4000-8000-000000000001",
    "call_id": "abc@10.0.0.1",
    "direction": "outbound",
    "start_stamp": "2025-12-09 08:01:02",
    "answer_stamp": "2025-12-09 08:01:05",
    "end_stamp": "2025-12-09 08:01:47",
    "duration": 45,
    "billsec": 42,
    "hangup_cause": "NORMAL_CLEARING",
    "sip_hangup_cause": "16",
    "caller_id_name": "Ventas",
    "caller_id_number": "+13055550123",
    "destination_number": "+12223334444",
    "campaign_id": "cmp_1",
    "list_id": "lst_1",
    "lead_id": "lead_1",
    "trunk_id": "gw_main",
    "queue": "sales",
    "agent_id": "1001",
    "recording_url": "https://rec.example.com/rec.wav",
    "amd_label": "HUMAN",
    "amd_confidence": "0.84",
    "amd_latency_ms": "930",
    "progress_ms": "2500",
    "early_media_ms": "0",
    "network_addr": "1.2.3.4",
    "read_codec": "PCMU",
    "write_codec": "PCMU",
}


def post(client, body: bytes | str, content_type: str = "application/json", headers=None, uuid: str | None = None):
    return client.post(
        "/api/v1/cdr" + (f"?uuid={uuid}" if uuid else ""),
        content=body,
        headers={"content-type": content_type, **(headers or INTEGRATION)},
    )


@pytest.fixture()
def lead(client):
    """lst_1 with lead_1, and cmp_1."""
    assert client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN).status_code == 201
    list_id = new_list(client)
    job = import_csv(client, list_id, b"phone,firstName\n+12125551234,Ana\n")
    assert job["accepted"] == 1, job
    return "lead_1"


def test_the_contract_example_is_stored_once(client, lead):
    first = post(client, json.dumps(CONTRACT_CDR))
    assert first.status_code == 200, first.text
    receipt = first.json()
    assert receipt == {
        "uuid": CONTRACT_CDR["uuid"],
        "stored": True,
        "duplicate": False,
        "outcome": "HUMAN",
        "disposition": "HUMAN",
        "leadId": "lead_1",
        "note": None,
    }
    again = post(client, json.dumps(CONTRACT_CDR))
    assert again.status_code == 200 and again.json()["duplicate"] is True and again.json()["stored"] is False
    stored = client.get(f"/api/v1/cdr/{CONTRACT_CDR['uuid']}", headers=ADMIN).json()
    assert stored["billsec"] == 42 and stored["trunkId"] == "gw_main" and stored["agentId"] == "1001"
    assert stored["amdConfidence"] == 0.84 and stored["progressMs"] == 2500 and stored["recordingUrl"].endswith(".wav")
    history = client.get("/api/v1/leads/lead_1", headers=ADMIN).json()["history"]
    assert [(a["disposition"], a["source"]) for a in history] == [("HUMAN", "cdr")]  # one attempt, not two


@pytest.mark.parametrize("encode", ["true", "false", "base64"])
def test_mod_json_cdr_bodies_with_encoded_values(client, lead, encode):
    """FreeSWITCH's nested layout, every encode mode, values URL-encoded (encode-values=true)."""
    cdr = {
        "core-uuid": "core-1",
        "switchname": "fs-east-1",
        "variables": {
            "uuid": f"leg-{encode}",
            "campaign_id": "cmp_1",
            "list_id": "lst_1",
            "lead_id": "lead_1",
            "trunk_id": "gw_main",
            "hangup_cause": "USER_BUSY",
            "hangup_cause_q850": "17",
            "sip_term_status": "486",
            "origination_caller_id_name": "Ventas Q1 & Co/50% off",
            "start_epoch": "1765267262",
            "end_epoch": "1765267266",
            "duration": "4",
            "billsec": "0",
        },
        "callflow": [{"caller_profile": {"destination_number": "12223334444"}, "times": {}}],
    }
    body, content_type = request_body(JsonCdrConfig(encode=encode, encode_values=True), cdr)
    response = post(client, body, content_type, uuid=f"leg-{encode}")
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "BUSY" and response.json()["disposition"] == "BUSY"
    stored = client.get(f"/api/v1/cdr/leg-{encode}", headers=ADMIN).json()
    assert stored["sipStatus"] == 486 and stored["node"] == "fs-east-1" and stored["q850"] == 17
    lead_now = client.get("/api/v1/leads/lead_1", headers=ADMIN).json()
    assert lead_now["status"] == "retry_due" and lead_now["attempts"] == 1


def test_a_busy_cdr_schedules_the_retry_by_the_lists_rule(client, lead):
    rules = {"rules": {"BUSY": {"cooldownMin": 10, "maxAttempts": 2}}}
    assert client.post("/api/v1/lists/lst_1/retry-rules", json=rules, headers=ADMIN).status_code == 200
    for n in (1, 2):
        busy = CONTRACT_CDR | {
            "uuid": f"busy-{n}",
            "answer_stamp": "",
            "billsec": 0,
            "amd_label": "",
            "hangup_cause": "USER_BUSY",
            "sip_hangup_cause": "486",
            "agent_id": "",
            "queue": "",
        }
        assert post(client, json.dumps(busy)).json()["disposition"] == "BUSY"
        lead_now = client.get("/api/v1/leads/lead_1", headers=ADMIN).json()
        assert lead_now["status"] == ("retry_due" if n == 1 else "done")
    assert lead_now["attempts"] == 2


def test_a_sit_cdr_ends_the_lead(client, lead):
    sit = CONTRACT_CDR | {
        "uuid": "sit-1",
        "answer_stamp": "",
        "billsec": 0,
        "amd_label": "SIT",
        "hangup_cause": "UNALLOCATED_NUMBER",
        "agent_id": "",
        "queue": "",
    }
    receipt = post(client, json.dumps(sit)).json()
    assert receipt["outcome"] == "SIT" and receipt["disposition"] == "SIT"
    assert client.get("/api/v1/leads/lead_1", headers=ADMIN).json()["status"] == "done"


def test_a_cdr_for_an_unknown_lead_is_still_stored(client):
    receipt = post(client, json.dumps(CONTRACT_CDR | {"lead_id": "lead_404"})).json()
    assert receipt["stored"] is True and receipt["note"] == "lead lead_404 not found"


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (b"{not json", "application/json", "JSON"),
        (b"[1, 2]", "application/json", "object"),
        (b'{"hangup_cause": "NO_ANSWER"}', "application/json", "uuid"),
        (b"cdr=%7Bbroken", "application/x-www-form-urlencoded", "JSON"),
        (b'{"uuid": "x1", "billsec": "forty"}', "application/json", "billsec"),
    ],
)
def test_a_malformed_cdr_is_refused_with_its_reason_and_kept(client, body, content_type, reason):
    response = post(client, body, content_type)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request" and reason.lower() in error["message"].lower()
    assert error["details"]["deadLetter"] is True
    letters = client.get("/api/v1/cdr/dead-letters", headers=ADMIN).json()["items"]
    assert len(letters) == 1 and letters[0]["body"] == body.decode() and reason.lower() in letters[0]["reason"].lower()
    assert letters[0]["clientIp"] == "127.0.0.1" and letters[0]["contentType"] == content_type
    assert client.get("/api/v1/cdr/dead-letters", headers=bearer("supervisor")).status_code == 403


def test_basic_auth_carries_an_integration_token(client, lead):
    token = client.post("/graphql", json={"query": "{ __typename }"})  # warm-up: nothing to do with auth
    assert token.status_code == 200
    jwt_token = INTEGRATION["Authorization"].removeprefix("Bearer ")
    basic = {"Authorization": "Basic " + base64.b64encode(f"freeswitch:{jwt_token}".encode()).decode()}
    assert post(client, json.dumps(CONTRACT_CDR), headers=basic).status_code == 200
    wrong = {"Authorization": "Basic " + base64.b64encode(b"freeswitch:nope").decode()}
    assert post(client, json.dumps(CONTRACT_CDR), headers=wrong).status_code == 401
    assert post(client, json.dumps(CONTRACT_CDR), headers=bearer("supervisor")).status_code == 403


def test_a_cdr_from_outside_the_allowlist_is_refused_and_not_stored(client, lead):
    app = client.app

    async def from_elsewhere() -> tuple[int, dict]:
        transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as outside:
            response = await outside.post(
                "/api/v1/cdr",
                content=json.dumps(CONTRACT_CDR),
                headers={"content-type": "application/json", **INTEGRATION},
            )
            return response.status_code, response.json()

    status, body = run(client, from_elsewhere)
    assert status == 403 and body["error"]["code"] == "forbidden" and "203.0.113.9" in body["error"]["message"]
    assert client.get(f"/api/v1/cdr/{CONTRACT_CDR['uuid']}", headers=ADMIN).status_code == 404
    assert client.get("/api/v1/cdr/dead-letters", headers=ADMIN).json()["items"] == []


def test_form_encoded_contract_cdr(client, lead):
    """The contract's flat layout in a `cdr=` form with every value URL-encoded."""
    encoded = {key: quote(str(value), safe="") for key, value in CONTRACT_CDR.items()}
    body = "cdr=" + quote(json.dumps(encoded), safe="")
    response = post(client, body, "application/x-www-form-urlencoded")
    assert response.status_code == 200, response.text
    stored = client.get(f"/api/v1/cdr/{CONTRACT_CDR['uuid']}", headers=ADMIN).json()
    assert stored["callerIdNumber"] == "+13055550123" and stored["recordingUrl"] == "https://rec.example.com/rec.wav"
