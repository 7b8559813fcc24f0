"""Providers (trunks): the contract's bodies, health from real CDRs, and a probe call through the
simulator the app runs."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from dialer.engine.kpi import Answered, Ended, Originated
from tests.conftest import ADMIN, bearer

CONTRACT_PROVIDER = {
    "name": "gw_main",
    "host": "sip.provider.net",
    "codecs": ["PCMU", "PCMA"],
    "route": "CLI",
    "maxCps": 20,
    "enabled": True,
}
FS = bearer("integration", "fs1")


def test_create_and_patch_as_in_the_contract(client):
    created = client.post("/api/v1/providers", json=CONTRACT_PROVIDER, headers=ADMIN)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["id"] == "gw_main" and {k: body[k] for k in CONTRACT_PROVIDER} == CONTRACT_PROVIDER
    patched = client.patch("/api/v1/providers/gw_main", json={"maxCps": 30, "enabled": False}, headers=ADMIN)
    assert patched.status_code == 200 and patched.json()["maxCps"] == 30 and patched.json()["enabled"] is False
    assert client.get("/api/v1/providers/gw_main", headers=bearer("viewer")).json()["maxCps"] == 30
    changed = [
        e for e in client.get("/api/v1/audit", headers=ADMIN).json()["items"] if e["action"] == "provider.update"
    ]
    assert changed[0]["details"]["changed"]["maxCps"] == {"from": 20, "to": 30}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (CONTRACT_PROVIDER | {"name": "gw main"}, "name"),
        (CONTRACT_PROVIDER | {"host": "sip provider"}, "host"),
        (CONTRACT_PROVIDER | {"codecs": ["PCMU", "pcmu"]}, "codecs"),
        (CONTRACT_PROVIDER | {"codecs": "PCMU"}, "codecs"),
        (CONTRACT_PROVIDER | {"maxCps": 0}, "maxCps"),
    ],
)
def test_bad_providers_are_400(client, body, field):
    response = client.post("/api/v1/providers", json=body, headers=ADMIN)
    assert response.status_code == 400 and field in response.json()["error"]["details"]["fields"], response.text
    assert client.get("/api/v1/providers", headers=ADMIN).json()["items"] == []


def test_duplicate_and_rename_conflicts(client):
    client.post("/api/v1/providers", json=CONTRACT_PROVIDER, headers=ADMIN)
    client.post("/api/v1/providers", json=CONTRACT_PROVIDER | {"name": "gw_backup"}, headers=ADMIN)
    assert client.post("/api/v1/providers", json=CONTRACT_PROVIDER, headers=ADMIN).status_code == 409
    assert client.patch("/api/v1/providers/gw_backup", json={"name": "gw_main"}, headers=ADMIN).status_code == 409
    assert client.patch("/api/v1/providers/gw_nope", json={"maxCps": 5}, headers=ADMIN).status_code == 404


def cdr(uuid: str, **fields) -> str:
    end = datetime.now(UTC) - timedelta(seconds=30)
    return json.dumps(
        {
            "uuid": uuid,
            "trunk_id": "gw_main",
            "direction": "outbound",
            "start_stamp": (end - timedelta(seconds=20)).strftime("%Y-%m-%d %H:%M:%S"),
            "end_stamp": end.strftime("%Y-%m-%d %H:%M:%S"),
            "duration": 20,
        }
        | fields
    )


def test_health_comes_from_the_trunks_live_window_and_its_last_five_minutes_of_cdrs(client):
    client.post("/api/v1/providers", json=CONTRACT_PROVIDER, headers=ADMIN)
    # The live window, as the live view feeds it from ESL events: 6 calls on gw_main, 2 answered.
    board, now = client.app.state.services.live.board, time.monotonic()
    for n in range(6):
        board.record(Originated(now - 3, "cmp_1", "gw_main"))
        board.record(Answered(now - 2, "cmp_1", "gw_main") if n < 2 else Ended(now - 1, False, 0.0, "cmp_1", "gw_main"))
    answered = {
        "answer_stamp": (datetime.now(UTC) - timedelta(seconds=40)).strftime("%Y-%m-%d %H:%M:%S"),
        "billsec": 10,
        "hangup_cause": "NORMAL_CLEARING",
        "progress_ms": "2000",
        "amd_label": "HUMAN",
    }
    bodies = [
        cdr("h1", **answered),
        cdr("h2", **answered | {"amd_label": "FAX", "progress_ms": "1000"}),
        cdr("h3", hangup_cause="USER_BUSY", sip_hangup_cause="486", progress_ms="3000"),
        cdr("h4", hangup_cause="USER_BUSY", sip_hangup_cause="486"),
        cdr("h5", hangup_cause="NORMAL_TEMPORARY_FAILURE", sip_hangup_cause="503"),
        cdr("h6", hangup_cause="UNALLOCATED_NUMBER", amd_label="SIT"),
    ]
    for body in bodies:
        response = client.post("/api/v1/cdr", content=body, headers={"content-type": "application/json", **FS})
        assert response.status_code == 200, response.text
    old = cdr("old", hangup_cause="USER_BUSY", sip_hangup_cause="486")
    old = json.loads(old) | {"end_stamp": (datetime.now(UTC) - timedelta(minutes=10)).strftime("%Y-%m-%d %H:%M:%S")}
    client.post("/api/v1/cdr", content=json.dumps(old), headers={"content-type": "application/json", **FS})
    health = client.get("/api/v1/providers/health", headers=bearer("viewer"))
    assert health.status_code == 200, health.text
    [item] = health.json()["items"]
    assert item["id"] == "gw_main" and item["calls5m"] == 6 and item["cpsMax"] == 20
    assert item["asr5m"] == round(2 / 6, 4) and item["pddMs"] == 2000  # asr5m: the window's (its kpi.tick's)
    assert item["cps"] == 0.6  # 6 originates in the window's last 10 s
    assert (
        item["sip"] == {"486": 2, "503": 1} and item["sitPct"] == round(1 / 6, 4) and item["faxPct"] == round(1 / 6, 4)
    )


def test_health_of_a_provider_without_calls(client):
    client.post("/api/v1/providers", json=CONTRACT_PROVIDER, headers=ADMIN)
    [item] = client.get("/api/v1/providers/health", headers=ADMIN).json()["items"]
    assert item == {
        "id": "gw_main",
        "asr5m": 0.0,
        "pddMs": None,
        "cps": 0.0,
        "cpsMax": 20,
        "sip": {},
        "sitPct": 0.0,
        "faxPct": 0.0,
        "calls5m": 0,
        "enabled": True,
    }


def test_probe_originates_through_the_trunk(client):
    client.post("/api/v1/providers", json=CONTRACT_PROVIDER, headers=ADMIN)
    response = client.post(
        "/api/v1/providers/gw_main/probe", json={"number": "(212) 555-1234", "timeoutSec": 2}, headers=ADMIN
    )
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["id"] == "gw_main" and result["number"] == "+12125551234" and result["node"]
    assert result["hangupCause"] and result["durationMs"] >= result["pddMs"] >= 0
    assert (result["sipStatus"] == 200) == result["answered"] or result["answered"]
    probes = [e for e in client.get("/api/v1/audit", headers=ADMIN).json()["items"] if e["action"] == "provider.probe"]
    assert probes[0]["details"]["hangup_cause"] == result["hangupCause"]


def test_probe_refusals(client):
    client.post("/api/v1/providers", json=CONTRACT_PROVIDER | {"enabled": False}, headers=ADMIN)
    disabled = client.post("/api/v1/providers/gw_main/probe", json={"number": "+12125551234"}, headers=ADMIN)
    assert disabled.status_code == 409
    bad = client.post("/api/v1/providers/gw_main/probe", json={"number": "+1 999 000"}, headers=ADMIN)
    assert bad.status_code == 400 and "number" in bad.json()["error"]["details"]["fields"]
