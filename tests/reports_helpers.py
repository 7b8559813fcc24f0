"""The report figures recomputed from raw rows, independently of dialer.engine.metrics and the SQL:
what docs/reports.md defines, written out again in plain Python."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from dialer.models import AgentStatusChange, Cdr
from tests.conftest import run


def stored_cdrs(client, since: datetime, until: datetime | None = None) -> list[dict]:
    until = until or since + timedelta(days=1)

    async def read() -> list[dict]:
        return await Cdr.filter(end_at__gte=since, end_at__lt=until).order_by("end_at", "id").values()

    return run(client, read)


def history(client) -> list[dict]:
    async def read() -> list[dict]:
        return await AgentStatusChange.all().order_by("at", "id").values()

    return run(client, read)


def _rate(part: float, whole: float) -> float:
    return round(part / whole, 4) if whole else 0.0


def _mean(total: float, count: int) -> float:
    return round(total / count, 1) if count else 0.0


def expected_campaigns(cdrs: list[dict]) -> list[dict]:
    by = defaultdict(list)
    for c in cdrs:
        if c["campaign_id"] is not None:
            by[c["campaign_id"]].append(c)
    items = []
    for campaign, calls in sorted(by.items()):
        answered = [c for c in calls if c["answer_at"] is not None]
        live = [c for c in calls if c["outcome"] in ("HUMAN", "ABANDONED")]
        abandoned = sum(c["outcome"] == "ABANDONED" for c in calls)
        items.append(
            {
                "campaignId": campaign,
                "calls": len(calls),
                "answered": len(answered),
                "liveAnswers": len(live),
                "connects": sum(c["outcome"] == "HUMAN" for c in calls),
                "abandoned": abandoned,
                "asr": _rate(len(answered), len(calls)),
                "acd": _mean(sum(c["billsec_s"] for c in answered), len(answered)),
                "abandonRate": _rate(abandoned, len(live)),
                "contactRate": _rate(len(live), len(calls)),
            }
        )
    return items


def expected_providers(cdrs: list[dict]) -> list[dict]:
    by = defaultdict(list)
    for c in cdrs:
        if c["trunk_id"] is not None:
            by[c["trunk_id"]].append(c)
    items = []
    for trunk, calls in sorted(by.items()):
        answered = [c for c in calls if c["answer_at"] is not None]
        pdd = [c["progress_ms"] for c in calls if c["progress_ms"] is not None]
        sip: dict[str, int] = defaultdict(int)
        for c in calls:
            if c["answer_at"] is None and c["sip_status"] is not None:
                sip[str(c["sip_status"])] += 1
        sit, fax = sum(c["outcome"] == "SIT" for c in calls), sum(c["outcome"] == "FAX" for c in calls)
        items.append(
            {
                "trunkId": trunk,
                "calls": len(calls),
                "answered": len(answered),
                "asr": _rate(len(answered), len(calls)),
                "acd": _mean(sum(c["billsec_s"] for c in answered), len(answered)),
                "pddMs": round(sum(pdd) / len(pdd)) if pdd else None,
                "sip": dict(sorted(sip.items())),
                "sit": sit,
                "fax": fax,
                "sitPct": _rate(sit, len(calls)),
                "faxPct": _rate(fax, len(calls)),
            }
        )
    return items


def expected_agents(
    cdrs: list[dict], changes: list[dict], since: datetime, until: datetime, now: datetime
) -> list[dict]:
    """Calls from the CDRs (bridged, HUMAN); time from the status history, walked change by change."""
    calls: dict[str, int] = defaultdict(int)
    for c in cdrs:
        if c["agent_id"] is not None and c["outcome"] == "HUMAN":
            calls[c["agent_id"]] += 1
    spent: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    end = max(min(until, now), since)
    by_agent: dict[str, list[dict]] = defaultdict(list)
    for change in changes:
        by_agent[change["agent"]].append(change)
    for agent, rows in by_agent.items():
        for row, following in zip(rows, [*rows[1:], None], strict=True):
            start = max(_utc(row["at"]), since)
            stop = min(_utc(following["at"]) if following else end, end)
            if stop > start:
                spent[agent][row["status"]] += (stop - start).total_seconds()
    items = []
    for agent in sorted(
        set(calls) | {a for a, s in spent.items() if any(s[k] for k in ("On Call", "Wrapup", "Available"))}
    ):
        talk, wrap, idle = (round(spent[agent][k], 1) for k in ("On Call", "Wrapup", "Available"))
        items.append(
            {
                "agentId": agent,
                "calls": calls[agent],
                "talkS": talk,
                "wrapUpS": wrap,
                "idleS": idle,
                "aht": _mean(talk + wrap, calls[agent]),
                "occupancy": _rate(talk + wrap, talk + wrap + idle),
            }
        )
    return items


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def assert_agents_match(got: list[dict], expected: list[dict]) -> None:
    """The agent report against `expected_agents`. Seconds may differ by one rounding step (0.1 s):
    SQLite's date functions keep milliseconds, so a total within a few of x.x5 s can round either way.
    Everything else is exact, and each row's aht and occupancy follow from its own figures."""
    assert [(a["agentId"], a["calls"]) for a in got] == [(a["agentId"], a["calls"]) for a in expected]
    for row, want in zip(got, expected, strict=True):
        for key in ("talkS", "wrapUpS", "idleS"):
            assert abs(row[key] - want[key]) <= 0.1 + 1e-9, (row, want)
        handled = row["talkS"] + row["wrapUpS"]
        assert row["aht"] == _mean(handled, row["calls"]), row
        assert row["occupancy"] == _rate(handled, handled + row["idleS"]), row
