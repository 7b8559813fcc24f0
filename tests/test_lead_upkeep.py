"""What happens to a lead after its call, beyond the retry rules: the drop lockout after an abandoned
call, leads an agent never dispositioned, leads whose CDR never came, and the area-code states
whose rules follow a number wherever its owner lives."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from dialer.app import stuck_leads
from dialer.app.campaign_leads import LeadSource
from dialer.engine.windows import LEGAL
from dialer.graphql.geography import area_code_state
from dialer.models import Campaign, Lead
from tests.conftest import ADMIN, CONTRACT_CAMPAIGN, bearer, run
from tests.leads_helpers import import_csv, new_list

INTEGRATION = bearer("integration", "fs1")


def setup(client, lockout: int = 0, phones: tuple[str, ...] = ("+12125551001", "+12125551002")) -> str:
    body = {**CONTRACT_CAMPAIGN, "dropLockoutHours": lockout}
    assert client.post("/api/v1/campaigns", json=body, headers=ADMIN).status_code == 201
    list_id = new_list(client)
    csv = "phone,firstName\n" + "".join(f"{phone},Lead\n" for phone in phones)
    assert import_csv(client, list_id, csv.encode())["accepted"] == len(phones)
    assert client.patch("/api/v1/campaigns/cmp_1", json={"listId": list_id}, headers=ADMIN).status_code == 200
    return list_id


def post_cdr(client, n: int, lead: int, agent: str | None, end: datetime) -> dict[str, object]:
    body = {
        "uuid": f"c2f5a1de-0000-4000-8000-{n:012d}",
        "start_stamp": (end - timedelta(seconds=40)).strftime("%Y-%m-%d %H:%M:%S"),
        "answer_stamp": (end - timedelta(seconds=30)).strftime("%Y-%m-%d %H:%M:%S"),
        "end_stamp": end.strftime("%Y-%m-%d %H:%M:%S"),
        "hangup_cause": "NORMAL_CLEARING",
        "campaign_id": "cmp_1",
        "lead_id": f"lead_{lead}",
        "queue": "sales",
        "amd_result": "HUMAN",
        **({"agent_id": agent} if agent else {}),
    }
    response = client.post(
        "/api/v1/cdr", content=json.dumps(body), headers={"content-type": "application/json", **INTEGRATION}
    )
    assert response.status_code == 200, response.text
    return response.json()


def lead(client, n: int) -> dict[str, object]:
    return client.get(f"/api/v1/leads/lead_{n}", headers=ADMIN).json()


def claim(client, *ids: int) -> None:
    async def work() -> None:
        await Lead.filter(id__in=ids).update(status="in_progress", dialable=False, updated_at=datetime.now(UTC))

    run(client, work)


def test_an_abandoned_lead_is_not_redialled_within_the_drop_lockout(client):
    setup(client, lockout=12)
    claim(client, 1)
    end = datetime.now(UTC).replace(microsecond=0)
    assert post_cdr(client, 1, 1, None, end)["disposition"] == "ABANDONED"
    after = lead(client, 1)
    assert after["status"] == "retry_due"
    due = datetime.fromisoformat(after["nextAttemptAt"].replace("Z", "+00:00"))
    assert due >= end + timedelta(hours=12)


def test_without_a_lockout_the_lists_retry_rule_decides(client):
    setup(client, lockout=0)
    claim(client, 1)
    end = datetime.now(UTC).replace(microsecond=0)
    post_cdr(client, 1, 1, None, end)
    due = datetime.fromisoformat(lead(client, 1)["nextAttemptAt"].replace("Z", "+00:00"))
    assert due < end + timedelta(hours=2)


def test_a_lockout_is_a_campaign_setting_with_bounds(client):
    setup(client)
    assert (
        client.patch("/api/v1/campaigns/cmp_1", json={"dropLockoutHours": 48}, headers=ADMIN).json()["dropLockoutHours"]
        == 48
    )
    refused = client.patch("/api/v1/campaigns/cmp_1", json={"dropLockoutHours": -1}, headers=ADMIN)
    assert refused.status_code == 400
    assert run(client, lambda: Campaign.get(id=1)).drop_lockout_hours == 48


def test_stuck_leads_are_closed_or_given_back_and_fresh_ones_left_alone(client):
    setup(client, phones=("+12125551001", "+12125551002", "+12125551003"))
    claim(client, 1, 2, 3)
    now = datetime.now(UTC)
    post_cdr(client, 1, 1, "1001", now)  # bridged: the agent should disposition it
    post_cdr(client, 3, 3, "1001", now)
    sale = {"campaignId": "cmp_1", "disposition": "SALE"}
    assert client.post("/api/v1/leads/lead_3/disposition", json=sale, headers=ADMIN).status_code == 200
    half_hour, six_hours = timedelta(minutes=30), timedelta(hours=6)

    assert run(client, lambda: stuck_leads.sweep(half_hour, six_hours, now + timedelta(minutes=10))) == (0, 0)
    assert run(client, lambda: stuck_leads.sweep(half_hour, six_hours, now + timedelta(minutes=31))) == (1, 0)
    closed = lead(client, 1)
    assert (closed["status"], closed["lastDisposition"]) == ("done", "HUMAN")
    assert lead(client, 2)["status"] == "in_progress"  # no CDR yet: the call may still be up

    assert run(client, lambda: stuck_leads.sweep(half_hour, six_hours, now + timedelta(hours=7))) == (0, 1)
    lost = lead(client, 2)
    assert (lost["status"], lost["attempts"]) == ("retry_due", 0)
    assert lead(client, 3)["lastDisposition"] == "SALE"


def test_area_code_states_presume_residence():
    assert area_code_state("+1305555") == "FL"
    assert area_code_state("+1405555") == "OK"
    assert area_code_state("+1203555") == "CT"
    assert area_code_state("+1800555") is None  # toll free: no state
    assert area_code_state("+4420794") is None


def test_a_florida_number_follows_floridas_rules_wherever_its_owner_lives(client):
    """Lead in NY by address, number in a Florida area code: FL's 8:00-20:00 applies on its clock."""
    setup(client, phones=("+13055551001",))

    async def verdict_at(hour: int) -> tuple[list[dict], str | None]:
        await Lead.filter(id=1).update(state="NY", timezone="America/New_York")
        source = LeadSource(1)
        await source.configure(await Campaign.get(id=1))
        # A summer evening in 2027 (the hopper reads no time before the leads were made), 20:30 in
        # New York: NY allows calls until 21:00, Florida until 20:00.
        return await source.take(1, datetime(2027, 7, 15, hour, 30, tzinfo=UTC))

    assert LEGAL["FL"]  # the table has Florida's row
    taken, why = run(client, lambda: verdict_at(0))  # 20:30 EDT
    assert taken == [] and "outside the leads' calling hours" in (why or "")
    taken, why = run(client, lambda: verdict_at(23))  # 19:30 EDT
    assert [row["id"] for row in taken] == [1], why
