"""The mod_callcenter planner: what a node lacks or has wrong, and what is stuck."""

from __future__ import annotations

from dialer.freeswitch.callcenter import Desired, Observed, Suspects, command, parse_table, plan_config, plan_stuck
from dialer.freeswitch.config.spec import AgentSpec, QueueSpec, TierSpec

SALES = QueueSpec("sales", "longest-idle-agent", "local_stream://moh", True, 15, True)
AGENT = AgentSpec("1001", "callback", "user/1001", "Available", wrap_up_time=3, no_answer_delay_time=2)
DESIRED = Desired((SALES,), (AGENT,), (TierSpec("sales", "1001", 1, 1),), {"1001": "Waiting"})


def agent_row(**changes: str) -> dict[str, str]:
    row = {
        "name": "1001",
        "type": "callback",
        "contact": "user/1001",
        "status": "Available",
        "state": "Waiting",
        "max_no_answer": "3",
        "wrap_up_time": "3",
        "reject_delay_time": "10",
        "busy_delay_time": "60",
        "no_answer_delay_time": "2",
    }
    return row | changes


QUEUE_ROW = {
    "name": "sales",
    "strategy": "longest-idle-agent",
    "moh_sound": "local_stream://moh",
    "tier_rules_apply": "true",
    "tier_rule_wait_second": "15",
    "tier_rule_wait_multiply_level": "true",
}


def observed(**parts) -> Observed:
    base = {
        "queues": {"sales": QUEUE_ROW},
        "agents": {"1001": agent_row()},
        "tiers": {("sales", "1001"): {"level": "1", "position": "1", "state": "Ready"}},
        "members": {"sales": []},
        "channels": frozenset(),
    }
    return Observed(**(base | parts))


def test_an_empty_node_gets_everything_in_order():
    commands = [r.command for r in plan_config(DESIRED, observed(queues={}, agents={}, tiers={}))]
    assert commands[0] == "callcenter_config queue load sales"
    assert commands[1] == "callcenter_config agent add 1001 callback"
    assert "callcenter_config agent set status 1001 Available" in commands
    assert "callcenter_config agent set wrap_up_time 1001 3" in commands
    assert commands[-1] == "callcenter_config tier add sales 1001 1 1"


def test_a_node_in_step_needs_nothing():
    assert plan_config(DESIRED, observed()) == []


def test_drift_is_set_back_and_foreign_tiers_of_our_queues_removed():
    node = observed(
        queues={"sales": QUEUE_ROW | {"strategy": "ring-all"}, "theirs": {"name": "theirs"}},
        agents={"1001": agent_row(status="On Break", contact="user/2002"), "x": agent_row(name="x")},
        tiers={("sales", "1001"): {"level": "2", "position": "1"}, ("sales", "x"): {}, ("theirs", "x"): {}},
    )
    commands = [r.command for r in plan_config(DESIRED, node)]
    assert commands == [
        "callcenter_config queue reload sales",
        "callcenter_config agent set contact 1001 user/1001",
        "callcenter_config agent set status 1001 Available",
        "callcenter_config tier set level sales 1001 1",
        "callcenter_config tier del sales x",
    ]


def test_values_with_spaces_are_quoted():
    assert command("agent", "set", "status", "1001", "On Break") == "callcenter_config agent set status 1001 'On Break'"
    wrapup = Desired((), (AgentSpec("1001", "callback", "user/1001", "Available"),), (), {"1001": "Idle"})
    commands = [r.command for r in plan_config(wrapup, observed(queues={}, tiers={}))]
    assert "callcenter_config agent set state 1001 Idle" in commands


def test_stuck_agents_tiers_and_stale_members_are_repaired_only_after_stuck_after():
    suspects = Suspects()
    node = observed(
        agents={"1001": agent_row(state="Receiving")},
        tiers={("sales", "1001"): {"state": "Offering", "level": "1", "position": "1"}},
        members={"sales": [("gone-uuid", "")]},
        channels=frozenset({"other"}),
    )
    assert plan_stuck(node, suspects, now=100.0, stuck_after=60) == []
    assert plan_stuck(node, suspects, now=150.0, stuck_after=60) == []
    repairs = [r.command for r in plan_stuck(node, suspects, now=161.0, stuck_after=60)]
    assert repairs == [
        "callcenter_config agent set state 1001 Waiting",
        "callcenter_config tier set state sales 1001 Ready",
        "callcenter_config queue reload sales",
    ]


def test_an_agent_serving_a_member_is_not_stuck_and_recovery_forgets():
    suspects = Suspects()
    busy = observed(
        agents={"1001": agent_row(state="Receiving")},
        members={"sales": [("live", "1001")]},
        channels=frozenset({"live"}),
    )
    assert plan_stuck(busy, suspects, 0.0, 60) == [] and plan_stuck(busy, suspects, 100.0, 60) == []
    receiving = observed(agents={"1001": agent_row(state="Receiving")})
    plan_stuck(receiving, suspects, 200.0, 60)
    plan_stuck(observed(), suspects, 230.0, 60)  # back to Waiting: the clock restarts
    assert plan_stuck(receiving, suspects, 250.0, 60) == []


def test_parse_table_reads_the_module_output():
    output = "name|status|state\n1001|Available|Waiting\n1002|On Break|Idle\n+OK\n"
    assert parse_table(output) == [
        {"name": "1001", "status": "Available", "state": "Waiting"},
        {"name": "1002", "status": "On Break", "state": "Idle"},
    ]
    assert parse_table("-ERR Invalid!\n") == []
