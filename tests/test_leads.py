"""Lists, leads, retry rules and dispositions over REST and GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, bearer
from tests.leads_helpers import import_csv, new_list

PEOPLE = b"phone,firstName,lastName,state\n2125550100,Ana,Perez,NY\n3055550101,Luis,Garcia,FL\n4155550102,Mei,Chen,CA\n"


@pytest.fixture()
def loaded(client):
    client.post("/api/v1/campaigns", json=CONTRACT_CAMPAIGN, headers=ADMIN)
    list_id = new_list(client)
    assert import_csv(client, list_id, PEOPLE)["accepted"] == 3
    return list_id


def dispose(client, lead_id: str, disposition: str, headers=ADMIN, **extra) -> object:
    body = {"campaignId": "cmp_1", "disposition": disposition, **extra}
    return client.post(f"/api/v1/leads/{lead_id}/disposition", json=body, headers=headers)


def test_lists_with_counts(client, loaded):
    lists = client.get("/api/v1/lists", headers=ADMIN).json()
    assert [item["id"] for item in lists["items"]] == [loaded] and lists["next"] is None
    one = client.get(f"/api/v1/lists/{loaded}", headers=ADMIN).json()
    assert one["name"] == "Lista 12/09/2025"
    assert one["leadCounts"] == {
        "total": 3,
        "new": 3,
        "inProgress": 0,
        "retryDue": 0,
        "callback": 0,
        "done": 0,
        "dnc": 0,
    }
    assert one["retryRules"] == {"rules": {"NOANSWER": None, "BUSY": None, "VOICEMAIL": None, "CALLBACK": None}}
    assert client.get("/api/v1/lists/lst_42", headers=ADMIN).status_code == 404


def test_leads_page_and_search(client, loaded):
    page = client.get(f"/api/v1/lists/{loaded}/leads", params={"limit": 2}, headers=ADMIN).json()
    rest = client.get(f"/api/v1/lists/{loaded}/leads", params={"limit": 2, "after": page["next"]}, headers=ADMIN).json()
    assert [lead["firstName"] for lead in page["items"] + rest["items"]] == ["Ana", "Luis", "Mei"]
    assert rest["next"] is None
    by_name = client.get(f"/api/v1/lists/{loaded}/leads", params={"q": "garc"}, headers=ADMIN).json()["items"]
    assert [lead["firstName"] for lead in by_name] == ["Luis"]
    by_phone = client.get(f"/api/v1/lists/{loaded}/leads", params={"q": "(415) 555"}, headers=ADMIN).json()["items"]
    assert [lead["phone"] for lead in by_phone] == ["+14155550102"]


def test_retry_rules_as_in_the_contract(client, loaded):
    rules = {
        "rules": {
            "NOANSWER": {"cooldownMin": 30, "maxAttempts": 4},
            "BUSY": {"cooldownMin": 10, "maxAttempts": 3},
            "VOICEMAIL": {"cooldownMin": 1440, "maxAttempts": 2},
            "CALLBACK": {"scheduledAt": "2025-12-09T14:00:00Z"},
        }
    }
    response = client.post(f"/api/v1/lists/{loaded}/retry-rules", json=rules, headers=ADMIN)
    assert response.status_code == 200, response.text
    stored = response.json()["rules"]
    assert stored["NOANSWER"] == {"cooldownMin": 30, "maxAttempts": 4}
    assert stored["CALLBACK"] == {"scheduledAt": "2025-12-09T14:00:00+00:00", "cooldownMin": None}
    assert (
        client.get(f"/api/v1/lists/{loaded}", headers=ADMIN).json()["retryRules"]["rules"]["BUSY"]["cooldownMin"] == 10
    )


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"NOANSWER": {"cooldownMin": -1}}, "rules.NOANSWER.cooldownMin"),
        ({"NOANSWER": {"maxAttempts": 0}}, "rules.NOANSWER.maxAttempts"),
        ({"SALE": {"cooldownMin": 5}}, "rules.SALE"),
        ({"CALLBACK": {"scheduledAt": "tomorrow"}}, "rules.CALLBACK.scheduledAt"),
        ({"BUSY": {"cooldownMin": "10"}}, "rules.BUSY.cooldownMin"),
    ],
)
def test_bad_retry_rules(client, loaded, rules, field):
    response = client.post(f"/api/v1/lists/{loaded}/retry-rules", json={"rules": rules}, headers=ADMIN)
    assert response.status_code == 400
    assert field in response.json()["error"]["details"]["fields"], response.json()


def lead_id(client, list_id: str, phone: str) -> str:
    items = client.get(f"/api/v1/lists/{list_id}/leads", headers=ADMIN).json()["items"]
    return next(lead["id"] for lead in items if lead["phone"] == phone)


def test_noanswer_retries_until_its_cap_then_done(client, loaded):
    client.post(
        f"/api/v1/lists/{loaded}/retry-rules",
        json={"rules": {"NOANSWER": {"cooldownMin": 30, "maxAttempts": 2}}},
        headers=ADMIN,
    )
    ana = lead_id(client, loaded, "+12125550100")
    first = dispose(client, ana, "NOANSWER", bearer("agent", "agent-7"), notes="rang out")
    assert first.status_code == 200, first.text
    lead = first.json()
    assert lead["status"] == "retry_due" and lead["attempts"] == 1 and lead["lastDisposition"] == "NOANSWER"
    due = datetime.fromisoformat(lead["nextAttemptAt"])
    assert timedelta(minutes=29) < due - datetime.now(UTC) <= timedelta(minutes=30)
    second = dispose(client, ana, "NOANSWER").json()
    assert second["status"] == "done" and second["nextAttemptAt"] is None and second["attempts"] == 2
    assert dispose(client, ana, "SALE").status_code == 409  # done is final

    detail = client.get(f"/api/v1/leads/{ana}", headers=ADMIN).json()
    assert [(h["disposition"], h["actor"], h["notes"]) for h in detail["history"]] == [
        ("NOANSWER", "alice", None),
        ("NOANSWER", "agent-7", "rang out"),
    ]  # newest first


def test_callback_needs_a_time_or_a_rule(client, loaded):
    luis = lead_id(client, loaded, "+13055550101")
    when = (datetime.now(UTC) + timedelta(days=1)).replace(microsecond=0)
    booked = dispose(client, luis, "CALLBACK", scheduledAt=when.isoformat()).json()
    assert booked["status"] == "callback" and datetime.fromisoformat(booked["nextAttemptAt"]) == when
    past = dispose(client, luis, "CALLBACK", scheduledAt="2020-01-01T00:00:00Z")
    assert past.status_code == 400 and "scheduledAt" in past.json()["error"]["details"]["fields"]
    wrong = dispose(client, luis, "BUSY", scheduledAt=when.isoformat())
    assert wrong.status_code == 400
    defaulted = dispose(client, luis, "CALLBACK").json()  # the default CALLBACK rule: in 60 minutes
    assert defaulted["status"] == "callback"


def test_dnc_disposition_blocks_the_number_everywhere(client, loaded):
    other = new_list(client, "other")
    import_csv(client, other, b"phone\n2125550100\n")
    ana = lead_id(client, loaded, "+12125550100")
    assert dispose(client, ana, "DNC").json()["status"] == "dnc"
    assert client.get("/api/v1/dnc/check", params={"phone": "+12125550100"}, headers=ADMIN).json()["blocked"] is True
    assert client.get(f"/api/v1/lists/{other}/leads", headers=ADMIN).json()["items"][0]["status"] == "dnc"
    assert dispose(client, ana, "CALLBACK").status_code == 409
    assert import_csv(client, new_list(client, "third"), b"phone\n2125550100\n")["dncHits"] == 1


def test_disposition_input_errors(client, loaded):
    ana = lead_id(client, loaded, "+12125550100")
    assert (
        client.post(
            f"/api/v1/leads/{ana}/disposition", json={"campaignId": "cmp_9", "disposition": "SALE"}, headers=ADMIN
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/v1/leads/{ana}/disposition", json={"campaignId": "cmp_1", "disposition": "MAYBE"}, headers=ADMIN
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/v1/leads/lead_999/disposition", json={"campaignId": "cmp_1", "disposition": "SALE"}, headers=ADMIN
        ).status_code
        == 404
    )
    assert dispose(client, ana, "SALE", headers=bearer("viewer")).status_code == 403


def test_dispositions_are_audited(client, loaded):
    ana = lead_id(client, loaded, "+12125550100")
    dispose(client, ana, "BUSY")
    entry = client.get("/api/v1/audit", params={"action": "lead.disposition"}, headers=ADMIN).json()["items"][0]
    assert entry["targetId"] == ana and entry["details"]["from"] == "new" and entry["details"]["to"] == "retry_due"


def test_graphql_lead_with_history(client, loaded):
    ana = lead_id(client, loaded, "+12125550100")
    dispose(client, ana, "VOICEMAIL")
    query = '{ lead(id: "%s") { phone status attempts history(last: 5) { disposition campaignId source } } }' % ana
    data = client.post("/graphql", json={"query": query}, headers=ADMIN).json()["data"]["lead"]
    assert data == {
        "phone": "+12125550100",
        "status": "retry_due",
        "attempts": 1,
        "history": [{"disposition": "VOICEMAIL", "campaignId": "cmp_1", "source": "agent"}],
    }
