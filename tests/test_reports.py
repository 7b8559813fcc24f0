"""Reports over CDRs posted through the real intake (POST /api/v1/cdr): every filter of the CDR report,
its CSV against its JSON pages, the aggregates against figures recomputed here from the raw CDRs,
and bad input (400, never 500, nothing changed)."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import ADMIN, bearer
from tests.reports_helpers import expected_campaigns, expected_providers, stored_cdrs

DAY = datetime(2026, 3, 2, tzinfo=UTC)
PERIOD = {"from": DAY.isoformat(), "to": (DAY + timedelta(days=1)).isoformat()}
# (outcome, answered, sip status, hangup cause, amd label)
KINDS = [
    ("HUMAN", True, 200, "NORMAL_CLEARING", "HUMAN"),
    ("ABANDONED", True, 200, "NORMAL_CLEARING", "HUMAN"),
    ("VOICEMAIL", True, 200, "NORMAL_CLEARING", "VOICEMAIL"),
    ("FAX", True, 200, "NORMAL_CLEARING", "FAX"),
    ("BUSY", False, 486, "USER_BUSY", None),
    ("NOANSWER", False, 480, "NO_ANSWER", None),
    ("FAILED", False, 503, "NORMAL_TEMPORARY_FAILURE", None),
    ("SIT", False, 404, "UNALLOCATED_NUMBER", "SIT"),
]


def cdr_documents(count: int, seed: int = 11) -> list[dict]:
    rng = random.Random(seed)
    documents = []
    for n in range(count):
        outcome, answered, sip, cause, amd = rng.choice(KINDS)
        start = DAY + timedelta(seconds=rng.randint(0, 86_000), milliseconds=rng.randint(0, 999))
        answer = start + timedelta(seconds=rng.randint(2, 9)) if answered else None
        billsec = rng.randint(1, 300) if answered else 0
        end = (answer + timedelta(seconds=billsec)) if answer else start + timedelta(seconds=rng.randint(1, 30))
        document = {
            "uuid": f"rep-{seed}-{n}",
            "direction": "outbound",
            "start_stamp": start.strftime("%Y-%m-%d %H:%M:%S"),
            "end_stamp": end.strftime("%Y-%m-%d %H:%M:%S"),
            "duration": int((end - start).total_seconds()),
            "billsec": billsec,
            "hangup_cause": cause,
            "sip_hangup_cause": str(sip),
            "campaign_id": rng.choice(["cmp_1", "cmp_2"]),
            "trunk_id": rng.choice(["gw_a", "gw_b", "gw_c"]),
            "destination_number": f"+1212555{n:04d}",
            "progress_ms": str(rng.randint(300, 4000)),
        }
        if answer:
            document["answer_stamp"] = answer.strftime("%Y-%m-%d %H:%M:%S")
        if amd and outcome != "SIT":
            document["amd_label"] = amd
        if outcome == "SIT":
            document["detected_tone"] = "SIT"
        if outcome == "HUMAN":
            document |= {"agent_id": rng.choice(["1001", "1002"]), "queue": "sales"}
        if outcome == "ABANDONED":
            document["queue"] = "sales"
        documents.append(document)
    return documents


@pytest.fixture()
def posted(client):
    """90 CDRs on one day, and 3 outside it, stored through POST /api/v1/cdr."""
    documents = cdr_documents(90)
    outside = cdr_documents(3, seed=12)
    for document in outside:
        document["start_stamp"] = document["end_stamp"] = "2026-03-04 10:00:00"
        document.pop("answer_stamp", None)
    for document in documents + outside:
        stored = client.post("/api/v1/cdr", json=document, headers=ADMIN)
        assert stored.status_code == 200 and stored.json()["stored"], stored.text
    return documents


def all_pages(client, params: dict) -> list[dict]:
    items, after = [], None
    while True:
        extra = {"after": after} if after else {}
        page = client.get("/api/v1/reports/cdr", params=params | {"limit": 17} | extra, headers=ADMIN)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        after = page.json()["next"]
        if after is None:
            return items


def test_every_cdr_of_the_period_in_end_order_across_pages(client, posted):
    items = all_pages(client, PERIOD)
    assert len(items) == 90
    assert [i["uuid"] for i in items] == [c["uuid"] for c in stored_cdrs(client, DAY)]
    assert items == sorted(items, key=lambda i: i["endAt"])


@pytest.mark.parametrize(
    "filters",
    [
        {"campaignId": "cmp_1"},
        {"trunkId": "gw_b", "amd": "HUMAN"},
        {"trunkId": "gw_a", "amd": "NONE"},
        {"agentId": "1001"},
        {"campaignId": "cmp_2", "trunkId": "gw_c"},
        {"amd": "VOICEMAIL", "campaignId": "cmp_1"},
    ],
)
def test_filters_combine_and_csv_equals_json(client, posted, filters):
    key = {"campaignId": "campaign_id", "trunkId": "trunk_id", "agentId": "agent_id"}

    def wanted(row: dict) -> bool:
        for name, value in filters.items():
            if name == "amd" and (row["amd_label"] or "NONE") != value:
                return False
            if name == "disposition" and row["disposition"] != value:
                return False
            if name in key and row[key[name]] != value:
                return False
        return True

    expected = [c["uuid"] for c in stored_cdrs(client, DAY) if wanted(c)]
    assert expected, "the seed gives every filter some rows"
    items = all_pages(client, PERIOD | filters)
    assert [i["uuid"] for i in items] == expected
    response = client.get("/api/v1/reports/cdr", params=PERIOD | filters | {"format": "csv"}, headers=ADMIN)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["uuid"] for r in rows] == expected
    for row, item in zip(rows, items, strict=True):
        assert row["trunkId"] == item["trunkId"] and row["outcome"] == item["outcome"]
        assert row["billsec"] == str(item["billsec"]) and row["amdLabel"] == (item["amdLabel"] or "")
        assert datetime.fromisoformat(row["endAt"]) == datetime.fromisoformat(item["endAt"])


def test_csv_resumes_after_a_cursor(client, posted):
    first = client.get("/api/v1/reports/cdr", params=PERIOD | {"limit": 40}, headers=ADMIN).json()
    rest = client.get("/api/v1/reports/cdr", params=PERIOD | {"format": "csv", "after": first["next"]}, headers=ADMIN)
    rows = list(csv.DictReader(io.StringIO(rest.text)))
    assert [i["uuid"] for i in first["items"]] + [r["uuid"] for r in rows] == [
        c["uuid"] for c in stored_cdrs(client, DAY)
    ]


def test_campaign_and_provider_reports_agree_with_the_cdrs(client, posted):
    cdrs = stored_cdrs(client, DAY)
    campaign = client.get("/api/v1/reports/campaign", params=PERIOD, headers=ADMIN).json()
    assert campaign["items"] == expected_campaigns(cdrs)
    assert datetime.fromisoformat(campaign["from"]) == DAY
    provider = client.get("/api/v1/reports/provider", params=PERIOD, headers=ADMIN).json()
    assert provider["items"] == expected_providers(cdrs)
    as_csv = client.get("/api/v1/reports/provider", params=PERIOD | {"format": "csv"}, headers=ADMIN)
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert [r["trunkId"] for r in rows] == [i["trunkId"] for i in provider["items"]]
    assert [float(r["asr"]) for r in rows] == [i["asr"] for i in provider["items"]]
    assert rows[0]["sip"].startswith("{")


def test_graphql_serves_the_same_reports(client, posted):
    query = """query($from: DateTime!, $to: DateTime!) {
      campaignReport(from: $from, to: $to) { items { campaignId calls abandonRate } }
      cdrReport(from: $from, to: $to, trunkId: "gw_a", first: 500) { nodes { uuid } pageInfo { hasNextPage } } }"""
    data = client.post("/graphql", json={"query": query, "variables": PERIOD}, headers=ADMIN).json()["data"]
    cdrs = stored_cdrs(client, DAY)
    assert [n["uuid"] for n in data["cdrReport"]["nodes"]] == [c["uuid"] for c in cdrs if c["trunk_id"] == "gw_a"]
    assert [(i["campaignId"], i["calls"], i["abandonRate"]) for i in data["campaignReport"]["items"]] == [
        (i["campaignId"], i["calls"], i["abandonRate"]) for i in expected_campaigns(cdrs)
    ]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("cdr", {"from": "2026-03-02T00:00:00Z", "to": "2026-03-02T00:00:00Z"}, "to"),
        ("campaign", {"from": "2026-03-03T00:00:00Z", "to": "2026-03-02T00:00:00Z"}, "to"),
        ("provider", {"from": "2026-01-01T00:00:00Z", "to": "2026-03-02T00:00:00Z"}, "to"),
        ("agent", {"from": "yesterday", "to": "2026-03-02T00:00:00Z"}, "from"),
        ("cdr", {"to": "2026-03-02T00:00:00Z"}, "from"),
        ("cdr", PERIOD | {"format": "xml"}, "format"),
        ("cdr", PERIOD | {"format": "csv", "amd": "MAYBE"}, "amd"),
        ("cdr", PERIOD | {"after": "bm90LWEtY3Vyc29y"}, "after"),
        ("cdr", PERIOD | {"format": "csv", "after": "bm90LWEtY3Vyc29y"}, "after"),
        ("campaign", {"from": "0001-01-01T00:00:00+01:00", "to": "0001-01-02T00:00:00Z"}, "from"),
        ("cdr", PERIOD | {"campaignId": "x" * 33}, "campaignId"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, path, params, field):
    response = client.get(f"/api/v1/reports/{path}", params=params, headers=ADMIN)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "bad_request" and field in error["details"].get("fields", {field: ""}), error
    assert field in str(error)


def test_roles(client):
    for role, status in (("viewer", 200), ("supervisor", 200), ("agent", 403), ("integration", 403)):
        response = client.get("/api/v1/reports/campaign", params=PERIOD, headers=bearer(role))
        assert response.status_code == status, (role, response.text)
    assert client.get("/api/v1/reports/cdr", params=PERIOD | {"format": "csv"}).status_code == 401
