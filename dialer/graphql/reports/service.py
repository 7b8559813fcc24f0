"""Reports over the CDRs (and the agents' status history): the period and filters, checked once for
GraphQL, REST JSON and the CSV stream alike; the campaign, provider and agent aggregates; a page of
raw CDRs. Every figure is defined in dialer.engine.metrics.

The aggregates are grouped SQL over one index range: `idx_cdrs_report` leads with `end_at` and holds
every column they read, so on PostgreSQL a day's figures are an index-only scan."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from dialer.engine import metrics
from dialer.engine.leads import Disposition
from dialer.engine.outcomes import CallOutcome
from dialer.graphql.errors import BadRequest
from dialer.graphql.pagination import Connection, PageInfo
from dialer.graphql.reports.types import AgentFigures, CampaignFigures, ProviderFigures
from dialer.models import Cdr as CdrRow

MAX_SPAN = timedelta(days=31)
AMD_FILTER = ("HUMAN", "VOICEMAIL", "FAX", "SIT", "UNKNOWN", "NONE")  # NONE: no AMD verdict
DISPOSITIONS = tuple(d.value for d in Disposition)
CURSOR = r"^[A-Za-z0-9_-]{4,64}$"
PAGE = 50


@dataclass(frozen=True)
class Period:
    since: datetime  # inclusive, UTC
    until: datetime  # exclusive, UTC


@dataclass(frozen=True)
class CdrFilter:
    period: Period
    campaign_id: str | None = None
    trunk_id: str | None = None
    agent_id: str | None = None
    disposition: str | None = None
    amd: str | None = None


def _utc(moment: datetime, name: str, problems: dict[str, str]) -> datetime:
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except (OverflowError, ValueError):
        problems[name] = "is out of range"
        return moment


def period(since: datetime, until: datetime) -> Period:
    """[from, to): from before to, at most MAX_SPAN apart; a time without a zone is UTC."""
    problems: dict[str, str] = {}
    since, until = _utc(since, "from", problems), _utc(until, "to", problems)
    if not problems:
        if since >= until:
            problems["to"] = "must be after from"
        elif until - since > MAX_SPAN:
            problems["to"] = f"must be at most {MAX_SPAN.days} days after from"
    if problems:
        raise BadRequest.fields(problems)
    return Period(since, until)


def cdr_filter(arguments: Mapping[str, Any]) -> CdrFilter:
    """The CDR report's arguments (GraphQL names) as a filter; REST and the CSV stream pass theirs too."""
    return CdrFilter(
        period=period(arguments["from"], arguments["to"]),
        campaign_id=arguments.get("campaignId"),
        trunk_id=arguments.get("trunkId"),
        agent_id=arguments.get("agentId"),
        disposition=arguments.get("disposition"),
        amd=arguments.get("amd"),
    )


# -- cursor ----------------------------------------------------------------------------------------


def encode_cursor(end_at: datetime, key: int) -> str:
    micros = round(end_at.astimezone(UTC).timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(f"{micros}.{key}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        micros, key = text.split(".")
        if not (micros.lstrip("-").isdigit() and key.isdigit() and len(micros) <= 19 and len(key) <= 19):
            raise ValueError(text)
        return datetime.fromtimestamp(0, UTC) + timedelta(microseconds=int(micros)), int(key)
    except (ValueError, UnicodeDecodeError, binascii.Error, OverflowError):
        raise BadRequest.fields({"after": "is not a cursor this API returned"}) from None


# -- raw CDRs --------------------------------------------------------------------------------------


def conditions(f: CdrFilter) -> list[tuple[str, str, Any]]:
    """(column, operator, value) of the filter, all to hold: the JSON page and the CSV stream
    render these same conditions (ORM, SQL)."""
    found: list[tuple[str, str, Any]] = [("end_at", ">=", f.period.since), ("end_at", "<", f.period.until)]
    for column, value in (
        ("campaign_id", f.campaign_id),
        ("trunk_id", f.trunk_id),
        ("agent_id", f.agent_id),
        ("disposition", f.disposition),
    ):
        if value is not None:
            found.append((column, "=", value))
    if f.amd == "NONE":
        found.append(("amd_label", "IS NULL", None))
    elif f.amd is not None:
        found.append(("amd_label", "=", f.amd))
    return found


_ORM = {">=": "__gte", "<": "__lt", "=": "", "IS NULL": "__isnull"}


async def cdr_page(f: CdrFilter, first: int | None, after: str | None, convert: Callable[[Any], Any]) -> Connection:
    """CDRs in (end_at, id) order, keyset-paginated on that pair."""
    size = PAGE if first is None else first
    rows = CdrRow.filter(**{f"{c}{_ORM[op]}": (True if op == "IS NULL" else v) for c, op, v in conditions(f)})
    if after is not None:
        end_at, key = decode_cursor(after)
        rows = rows.filter(Q(end_at__gt=end_at) | Q(end_at=end_at, id__gt=key))
    found = list(await rows.order_by("end_at", "id").limit(size + 1))
    more = len(found) > size
    found = found[:size]
    last = found[-1] if found else None
    return Connection(
        nodes=[convert(row) for row in found],
        page_info=PageInfo(end_cursor=encode_cursor(last.end_at, last.id) if last else None, has_next_page=more),
    )


# -- aggregates ------------------------------------------------------------------------------------


def _dialect() -> str:
    return connections.get("default").capabilities.dialect


async def _rows(sql: str, values: list[Any]) -> list[dict[str, Any]]:
    """Run SQL written with $1, $2... (SQLite reads them as ?1, ?2)."""
    client = connections.get("default")
    if client.capabilities.dialect != "postgres":
        sql = sql.replace("$", "?")
    return await client.execute_query_dict(sql, values)


def _in(outcomes: Iterable[str]) -> str:
    return "(" + ", ".join(f"'{CallOutcome(o).value}'" for o in sorted(outcomes)) + ")"


_RANGE = "end_at >= $1 AND end_at < $2"
_ANSWERED_BILLSEC = "COALESCE(SUM(CASE WHEN answer_at IS NOT NULL THEN billsec_s END), 0)"


async def campaigns(p: Period) -> list[CampaignFigures]:
    rows = await _rows(
        f"""SELECT campaign_id AS id, COUNT(*) AS calls, COUNT(answer_at) AS answered,
              {_ANSWERED_BILLSEC} AS billsec,
              COUNT(CASE WHEN outcome IN {_in(metrics.LIVE_ANSWER)} THEN 1 END) AS live,
              COUNT(CASE WHEN outcome IN {_in(metrics.CONNECT)} THEN 1 END) AS connects,
              COUNT(CASE WHEN outcome IN {_in(metrics.ABANDONED)} THEN 1 END) AS abandoned
            FROM cdrs WHERE {_RANGE} AND campaign_id IS NOT NULL
            GROUP BY campaign_id ORDER BY campaign_id""",
        [p.since, p.until],
    )
    return [
        CampaignFigures(
            campaign_id=r["id"],
            calls=r["calls"],
            answered=r["answered"],
            live_answers=r["live"],
            connects=r["connects"],
            abandoned=r["abandoned"],
            asr=metrics.asr(r["answered"], r["calls"]),
            acd=metrics.acd(r["billsec"], r["answered"]),
            abandon_rate=metrics.abandon_rate(r["abandoned"], r["live"]),
            contact_rate=metrics.contact_rate(r["live"], r["calls"]),
        )
        for r in rows
    ]


async def providers(p: Period) -> list[ProviderFigures]:
    rows = await _rows(
        f"""SELECT trunk_id AS id, COUNT(*) AS calls, COUNT(answer_at) AS answered,
              {_ANSWERED_BILLSEC} AS billsec, COALESCE(SUM(progress_ms), 0) AS pdd_total,
              COUNT(progress_ms) AS pdd_calls,
              COUNT(CASE WHEN outcome = '{metrics.SIT}' THEN 1 END) AS sit,
              COUNT(CASE WHEN outcome = '{metrics.FAX}' THEN 1 END) AS fax
            FROM cdrs WHERE {_RANGE} AND trunk_id IS NOT NULL
            GROUP BY trunk_id ORDER BY trunk_id""",
        [p.since, p.until],
    )
    sip: dict[str, dict[str, int]] = {}
    for r in await _rows(
        f"""SELECT trunk_id AS id, sip_status AS status, COUNT(*) AS n FROM cdrs
            WHERE {_RANGE} AND trunk_id IS NOT NULL AND answer_at IS NULL AND sip_status IS NOT NULL
            GROUP BY trunk_id, sip_status""",
        [p.since, p.until],
    ):
        sip.setdefault(r["id"], {})[str(r["status"])] = r["n"]
    return [
        ProviderFigures(
            trunk_id=r["id"],
            calls=r["calls"],
            answered=r["answered"],
            asr=metrics.asr(r["answered"], r["calls"]),
            acd=metrics.acd(r["billsec"], r["answered"]),
            pdd_ms=round(int(r["pdd_total"]) / r["pdd_calls"]) if r["pdd_calls"] else None,
            sip=dict(sorted(sip.get(r["id"], {}).items())),
            sit=r["sit"],
            fax=r["fax"],
            sit_pct=metrics.ratio(r["sit"], r["calls"]),
            fax_pct=metrics.ratio(r["fax"], r["calls"]),
        )
        for r in rows
    ]


# Each agent's status spans clipped to the period: the status in effect at `from` (its last change
# before it; looked up for the agents that exist, so an agent deleted since counts from its first
# change in the period), then every change inside; a span ends at the agent's next change, or at
# min(to, now).
_SPANS = """
WITH opening AS (
  SELECT a.name AS agent, $1 AS at, 0 AS id,
    (SELECT c.status FROM agent_status_changes c WHERE c.agent = a.name AND c.at < $1
     ORDER BY c.at DESC, c.id DESC LIMIT 1) AS status
  FROM cc_agents a
), changes AS (
  SELECT agent, status, at, id FROM opening WHERE status IS NOT NULL
  UNION ALL SELECT agent, status, at, id FROM agent_status_changes WHERE at >= $1 AND at < $2
), spans AS (
  SELECT agent, status, at, COALESCE(LEAD(at) OVER (PARTITION BY agent ORDER BY at, id), $3) AS ends
  FROM changes
)
SELECT agent, {sums} FROM spans GROUP BY agent"""
_SECONDS = {
    "postgres": "GREATEST(EXTRACT(EPOCH FROM (LEAST(ends, $3) - at)), 0)",
    "sqlite": "MAX((julianday(MIN(ends, $3)) - julianday(at)) * 86400.0, 0)",
}


async def agents(p: Period, now: datetime | None = None) -> list[AgentFigures]:
    calls = {
        r["id"]: r["calls"]
        for r in await _rows(
            f"""SELECT agent_id AS id, COUNT(*) AS calls FROM cdrs
                WHERE {_RANGE} AND agent_id IS NOT NULL AND outcome IN {_in(metrics.CONNECT)}
                GROUP BY agent_id""",
            [p.since, p.until],
        )
    }
    postgres = _dialect() == "postgres"
    ends = max(min(p.until, now or datetime.now(UTC)), p.since)
    seconds = _SECONDS["postgres" if postgres else "sqlite"]
    # Summed per agent (the window's output order), one column per kind of time: no second sort.
    sums = ", ".join(
        f"SUM(CASE WHEN status = '{status}' THEN {seconds} END) AS \"{kind}\""
        for status, kind in sorted(metrics.AGENT_TIME.items())
    )
    sql = _SPANS.format(sums=sums)
    if postgres:
        sql = sql.replace("$1 AS at", "$1::timestamptz AS at")
        async with in_transaction() as connection:
            # A day's changes sort in memory; the plan is cheap to run and not worth a JIT compile.
            await connection.execute_script("SET LOCAL work_mem = '32MB'; SET LOCAL jit = off")
            found = await connection.execute_query_dict(sql, [p.since, p.until, ends])
    else:
        found = await _rows(sql, [p.since, p.until, ends])
    times = {r["agent"]: {kind: float(r[kind] or 0) for kind in metrics.AGENT_TIME.values()} for r in found}
    items = []
    for agent in sorted(set(calls) | {a for a, t in times.items() if any(t.values())}):
        handled, spent = calls.get(agent, 0), times.get(agent, {})
        talk, wrap, idle = (round(spent.get(k, 0.0), 1) for k in (metrics.TALK, metrics.WRAP_UP, metrics.IDLE))
        items.append(
            AgentFigures(
                agent_id=agent,
                calls=handled,
                talk_s=talk,
                wrap_up_s=wrap,
                idle_s=idle,
                aht=metrics.aht(talk, wrap, handled),
                occupancy=metrics.occupancy(talk, wrap, idle),
            )
        )
    return items
