"""The do-not-call store over REST: add, check, list, remove, bulk; E.164 matching; scopes."""

from __future__ import annotations

from tests.conftest import ADMIN, CONTRACT_CAMPAIGN
from tests.leads_helpers import import_csv, new_list


def test_add_check_list_remove(client):
    added = client.post("/api/v1/dnc", json={"phone": "(212) 555-0100", "reason": "asked on the phone"}, headers=ADMIN)
    assert added.status_code == 201, added.text
    assert added.json()["phone"] == "+12125550100" and added.json()["campaignId"] is None
    for spelled in ("+1 212 555 0100", "12125550100", "212.555.0100"):
        check = client.get("/api/v1/dnc/check", params={"phone": spelled}, headers=ADMIN).json()
        assert check == {"phone": "+12125550100", "blocked": True, "global": True, "campaign": False}
    assert client.post("/api/v1/dnc", json={"phone": "2125550100"}, headers=ADMIN).status_code == 201  # idempotent
    listed = client.get("/api/v1/dnc", headers=ADMIN).json()["items"]
    assert [entry["phone"] for entry in listed] == ["+12125550100"]
    removed = client.delete("/api/v1/dnc/+12125550100", headers=ADMIN).json()
    assert removed == {"phone": "+12125550100", "removed": True}
    assert client.delete("/api/v1/dnc/+12125550100", headers=ADMIN).json()["removed"] is False
    assert client.get("/api/v1/dnc/check", params={"phone": "2125550100"}, headers=ADMIN).json()["blocked"] is False


def test_campaign_scope(client):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    client.post("/api/v1/dnc", json={"phone": "3055550101", "campaignId": "cmp_1"}, headers=ADMIN)
    mine = client.get("/api/v1/dnc/check", params={"phone": "3055550101", "campaignId": "cmp_1"}, headers=ADMIN).json()
    assert mine == {"phone": "+13055550101", "blocked": True, "global": False, "campaign": True}
    assert client.get("/api/v1/dnc/check", params={"phone": "3055550101"}, headers=ADMIN).json()["blocked"] is False
    assert [
        e["phone"] for e in client.get("/api/v1/dnc", params={"campaignId": "cmp_1"}, headers=ADMIN).json()["items"]
    ] == ["+13055550101"]
    assert client.get("/api/v1/dnc", headers=ADMIN).json()["items"] == []
    unknown = client.post("/api/v1/dnc", json={"phone": "3055550101", "campaignId": "cmp_9"}, headers=ADMIN)
    assert unknown.status_code == 400 and "campaignId" in unknown.json()["error"]["details"]["fields"]


def test_a_global_entry_marks_existing_leads(client):
    list_id = new_list(client)
    import_csv(client, list_id, b"phone\n2125550100\n2125550101\n")
    client.post("/api/v1/dnc", json={"phone": "2125550101"}, headers=ADMIN)
    leads = client.get(f"/api/v1/lists/{list_id}/leads", headers=ADMIN).json()["items"]
    assert {lead["phone"]: lead["status"] for lead in leads} == {"+12125550100": "new", "+12125550101": "dnc"}
    counts = client.get(f"/api/v1/lists/{list_id}", headers=ADMIN).json()["leadCounts"]
    assert counts["dnc"] == 1 and counts["new"] == 1


def test_bulk(client):
    result = client.post(
        "/api/v1/dnc/bulk", json={"phones": ["2125550100", "+1 212 555 0100", "nope", "3055550101"]}, headers=ADMIN
    ).json()
    assert result == {"added": 2, "alreadyPresent": 1, "invalid": ["nope"]}
    too_many = client.post("/api/v1/dnc/bulk", json={"phones": ["2125550100"] * 10_001}, headers=ADMIN)
    assert too_many.status_code == 400


def test_invalid_numbers_are_400(client):
    bad = client.post("/api/v1/dnc", json={"phone": "555-0100"}, headers=ADMIN)
    assert bad.status_code == 400 and "phone" in bad.json()["error"]["details"]["fields"]
    assert client.get("/api/v1/dnc/check", params={"phone": "12345678"}, headers=ADMIN).status_code == 400
    assert client.get("/api/v1/dnc/check", headers=ADMIN).status_code == 400
