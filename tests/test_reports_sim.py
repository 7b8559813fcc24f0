"""A seeded campaign dials through the embedded FreeSWITCH simulator (real ESL, mod_callcenter agents,
CDRs posted back in-process); then every report figure is recomputed here from the raw CDRs and the
agents' status history, and compared. As a new user would: the CDR CSV filtered by trunk and AMD
label, then the campaign, provider and agent reports."""

from __future__ import annotations

import csv
import io
import time
from datetime import UTC, datetime, timedelta

import pytest

from dialer.freeswitch.sim import Dist, TrunkModel
from tests.conftest import ADMIN, run
from tests.freeswitch.conftest import FAST, NONE
from tests.leads_helpers import import_csv, new_list
from tests.reports_helpers import (
    assert_agents_match,
    expected_agents,
    expected_campaigns,
    expected_providers,
    history,
    stored_cdrs,
)
from tests.test_dialing import agents_available, campaign, open_zone, until

LEADS = 8
SEED = 20260302
MIX = TrunkModel(
    **{
        **NONE,
        **FAST,
        "human": 0.5,
        "voicemail": 0.15,
        "fax": 0.05,
        "busy": 0.15,
        "sit": 0.05,
        "sip_failures": {503: 0.1},
        "talk": Dist("fixed", 1.0),
        "amd_accuracy": 1.0,
    }
)


@pytest.fixture()
def dialled(client):
    """Eight leads dialled over two trunks to the end; returns the period around the run."""

    async def setup() -> None:
        services = client.app.state.services
        services.agent_history.pending.clear()
        switch = services.simulator.switch
        switch.config.trunks = {"mix": MIX, "mix_b": MIX}
        switch.config.agent_answer_delay = 0.02
        switch.config.seed = SEED  # each trunk's outcomes are drawn from its own seeded stream
        for trunk in ("mix", "mix_b"):
            switch._rngs.pop(trunk, None)
        for channel in list(switch.channels.values()):
            switch.hangup(channel, "MANAGER_REQUEST", "send_bye")
        for name in [name for name in switch.callcenter.agents if name.startswith("30")]:
            del switch.callcenter.agents[name]
        services.switchboard.board.agents.clear()

    run(client, setup)
    since = datetime.now(UTC) - timedelta(seconds=1)
    list_id = new_list(client)
    zone = open_zone()
    rows = "".join(f"+1212555{200 + i:04d},Lead{i},{zone}\n" for i in range(LEADS))
    assert import_csv(client, list_id, ("phone,firstName,timezone\n" + rows).encode())["accepted"] == LEADS
    queue = {"name": "dial_q", "wrapUpSec": 1}
    assert client.post("/api/v1/queues", json=queue, headers=ADMIN).status_code == 201
    for agent in ("3001", "3002"):
        client.post("/api/v1/agents", json={"name": agent, "contact": f"user/{agent}"}, headers=ADMIN)
        client.post("/api/v1/queues/dial_q/tiers", json={"agent": agent}, headers=ADMIN)
    for trunk in ("mix", "mix_b"):
        client.post("/api/v1/providers", json={"name": trunk, "host": "sim.local", "codecs": ["PCMU"]}, headers=ADMIN)
    agents_available(client, "3001", "3002")
    cmp = campaign(client, list_id, "mix", trunkPolicy={"weights": {"mix": 2, "mix_b": 1}})
    assert client.post(f"/api/v1/campaigns/{cmp}/start", headers=ADMIN).status_code == 202

    def dialled_all() -> bool:
        leads = client.get(f"/api/v1/lists/{list_id}/leads", headers=ADMIN).json()["items"]
        return all(lead["status"] != "new" for lead in leads) and len(stored_cdrs(client, since)) >= LEADS

    until(dialled_all, 40)
    client.post(f"/api/v1/campaigns/{cmp}/stop", headers=ADMIN)
    time.sleep(1.5)  # the last wrap-up ends; the history writer flushes
    for agent in ("3001", "3002"):  # looked at: a wrap-up that ended on the clock is recorded
        client.get(f"/api/v1/agents/{agent}", headers=ADMIN)
    until_ = datetime.now(UTC)
    time.sleep(1.2)
    return since, until_


def test_reports_agree_with_the_simulated_calls(client, dialled):
    since, until_ = dialled
    period = {"from": since.isoformat(), "to": until_.isoformat()}
    cdrs = stored_cdrs(client, since, until_)
    assert len(cdrs) >= LEADS and {c["trunk_id"] for c in cdrs} <= {"mix", "mix_b"}
    outcomes = {c["outcome"] for c in cdrs}
    assert "HUMAN" in outcomes and len(outcomes) >= 3, outcomes

    # The CDR CSV, filtered by trunk and AMD label, holds exactly those CDRs.
    for trunk, amd in (("mix", "HUMAN"), ("mix_b", "NONE"), ("mix", "VOICEMAIL")):
        got = client.get(
            "/api/v1/reports/cdr", params=period | {"trunkId": trunk, "amd": amd, "format": "csv"}, headers=ADMIN
        )
        assert got.status_code == 200
        rows = list(csv.DictReader(io.StringIO(got.text)))
        wanted = [c for c in cdrs if c["trunk_id"] == trunk and (c["amd_label"] or "NONE") == amd]
        assert [r["uuid"] for r in rows] == [c["uuid"] for c in wanted]
        assert [r["outcome"] for r in rows] == [c["outcome"] for c in wanted]
    busy = client.get("/api/v1/reports/cdr", params=period | {"disposition": "BUSY", "limit": 500}, headers=ADMIN)
    assert [i["uuid"] for i in busy.json()["items"]] == [c["uuid"] for c in cdrs if c["disposition"] == "BUSY"]

    campaigns = client.get("/api/v1/reports/campaign", params=period, headers=ADMIN).json()["items"]
    assert campaigns == expected_campaigns(cdrs)
    assert campaigns[0]["calls"] == len(cdrs) and campaigns[0]["connects"] >= 1
    providers = client.get("/api/v1/reports/provider", params=period, headers=ADMIN).json()["items"]
    assert providers == expected_providers(cdrs)

    changes = history(client)
    assert {"On Call", "Wrapup", "Available"} <= {c["status"] for c in changes}, changes
    agents = client.get("/api/v1/reports/agent", params=period, headers=ADMIN).json()["items"]
    assert_agents_match(agents, expected_agents(cdrs, changes, since, until_, datetime.now(UTC)))
    handled = [a for a in agents if a["calls"]]
    assert handled and all(a["talkS"] > 0 and a["wrapUpS"] > 0 and 0 < a["occupancy"] <= 1 for a in handled)
    assert sum(a["calls"] for a in agents) == sum(c["outcome"] == "HUMAN" for c in cdrs)
