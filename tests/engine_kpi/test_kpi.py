"""KPI windows on a simulated clock: each definition on hand-made events, the window edges, scopes,
idle scopes dropped, the kpi.tick message as the contract spells it, a brute-force model to compare
against, and memory that stays bounded over a million events."""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.engine.kpi import (
    AMD_LABELS,
    AmdLabel,
    Answered,
    Ended,
    KpiBoard,
    KpiEvent,
    KpiFigures,
    KpiWindow,
    LiveAnswer,
    Originated,
    amd_label,
)

C, T = "cmp_1", "gw_main"
EPOCH = 1736722800.123
CONTRACT = {
    "type": "kpi.tick",
    "scope": "campaign",
    "id": "cmp_1",
    "asr5m": 0.54,
    "acd": 71,
    "cps": 18,
    "cc": 142,
    "abandon60s": 0.02,
    "humanRate": 0.31,
    "amd": {"HUMAN": 12, "VOICEMAIL": 8, "FAX": 2, "SIT": 1, "UNKNOWN": 5},
    "windowSec": 60,
    "ts": 1736722800123,
}


def feed(board: KpiBoard, *events: KpiEvent) -> KpiBoard:
    for event in events:
        board.record(event)
    return board


def at(board: KpiBoard, now: float, scope: str = "campaign", id: str | None = C) -> KpiFigures:
    return board.snapshot(scope, id, now)


# -- definitions -----------------------------------------------------------------------------------


def test_asr5m_is_answered_over_attempts_and_events_leave_at_the_window_edge() -> None:
    board = feed(
        KpiBoard(),
        Answered(10.2, C),
        Ended(20.5, answered=False, campaign=C),
        Ended(21.0, answered=False, campaign=C),
        Ended(22.9, answered=False, campaign=C),
    )
    assert at(board, 30).asr5m == 0.25
    assert at(board, 309.999).asr5m == 0.25  # second 10 is still 299 whole seconds back
    edge = at(board, 310.0)  # second 10 has left: only the three unanswered ends remain
    assert (edge.asr5m, edge.answered5m, edge.attempts5m) == (0.0, 0, 3)
    assert at(board, 320.0).attempts5m == 2
    assert at(board, 323.0) == KpiFigures()


def test_an_answered_call_ending_does_not_count_as_a_second_attempt() -> None:
    board = feed(KpiBoard(), Answered(1, C), Ended(200, answered=True, billsec=199, campaign=C))
    assert (at(board, 201).asr5m, at(board, 201).attempts5m) == (1.0, 1)


def test_acd_is_the_mean_billsec_of_answered_calls_that_ended_in_5_minutes() -> None:
    board = feed(
        KpiBoard(),
        Ended(100.0, answered=True, billsec=60, campaign=C),
        Ended(150.0, answered=True, billsec=91.25, campaign=C),
        Ended(160.0, answered=False, billsec=0, campaign=C),  # unanswered: not in acd
    )
    assert at(board, 170).acd == 75.6  # (60 + 91.25) / 2 = 75.625
    assert at(board, 400.0).acd == 91.2  # the 60 s call's second (100) has left
    assert at(board, 450.0).acd == 0.0


def test_cps_is_originates_of_the_last_10_whole_seconds() -> None:
    board = KpiBoard()
    for second in range(100, 110):
        feed(board, Originated(second + 0.1, C), Originated(second + 0.7, C))
    assert at(board, 109.5).cps == 1.8  # seconds 99-108: the current second is left out
    assert at(board, 110.0).cps == 2.0  # seconds 100-109
    feed(board, *(Originated(110.2, C) for _ in range(5)))
    assert at(board, 110.9).cps == 2.0  # 110 is the current second
    assert (at(board, 111.0).cps, at(board, 111.0).originated10s) == (2.3, 23)
    assert at(board, 121.0).cps == 0.0


def test_cc_counts_calls_up_and_never_goes_below_zero() -> None:
    board = feed(KpiBoard(), *(Originated(1, C, T) for _ in range(3)))
    assert at(board, 2).cc == 3
    feed(board, *(Ended(3, answered=False, campaign=C, trunk=T) for _ in range(4)))
    for scope, id in (("global", None), ("campaign", C), ("trunk", T)):
        assert at(board, 4, scope, id).cc == 0
    feed(board, Originated(5, C, T))
    assert at(board, 6).cc == 1


def test_an_end_without_its_originate_after_a_restart_leaves_cc_at_zero() -> None:
    board = feed(KpiBoard(), Ended(1, answered=True, billsec=30, campaign=C, trunk=T))
    assert [at(board, 2, s, i).cc for s, i in (("global", None), ("campaign", C), ("trunk", T))] == [0, 0, 0]
    assert at(board, 2).acd == 30.0  # its figures still count
    board.set_calls(3, "campaign", C, 7)  # what FreeSWITCH says is up
    board.set_calls(3, "global", None, 9)
    assert (at(board, 3).cc, at(board, 3, "global", None).cc) == (7, 9)
    board.set_calls(3, "trunk", "gw_other", 0)  # no window made for nothing
    assert ("trunk", "gw_other") not in board.scopes


def test_abandon60s_is_abandoned_over_live_answers_in_60_s() -> None:
    board = feed(
        KpiBoard(),
        LiveAnswer(5.5, abandoned=True, campaign=C),
        *(LiveAnswer(20.0 + i, abandoned=False, campaign=C) for i in range(9)),
    )
    assert at(board, 30).abandon60s == 0.1
    assert (at(board, 64.99).abandon60s, at(board, 64.99).live60s) == (0.1, 10)
    assert (at(board, 65.0).abandon60s, at(board, 65.0).live60s) == (0.0, 9)


def test_human_rate_is_human_verdicts_over_answers_in_60_s_capped_at_1() -> None:
    board = feed(
        KpiBoard(),
        *(Answered(10.0, C) for _ in range(4)),
        AmdLabel(12.0, "HUMAN", C),
        AmdLabel(12.0, "VOICEMAIL", C),
    )
    assert at(board, 13).human_rate == 0.25
    # verdicts outlive their answers by a second at the window's edge
    board = feed(KpiBoard(), Answered(0.9, C), Answered(1.0, C), AmdLabel(1.1, "HUMAN", C), AmdLabel(1.2, "HUMAN", C))
    assert at(board, 60.5).answered60s == 1
    assert at(board, 60.5).human_rate == 1.0


def test_amd_counts_each_label_over_60_s() -> None:
    labels = ["HUMAN"] * 3 + ["VOICEMAIL"] * 2 + ["FAX", "SIT"] + ["UNKNOWN"] * 4
    board = feed(KpiBoard(), *(AmdLabel(30.0 + i, label, C) for i, label in enumerate(labels)))
    assert dict(at(board, 41).amd) == {"HUMAN": 3, "VOICEMAIL": 2, "FAX": 1, "SIT": 1, "UNKNOWN": 4}
    assert dict(at(board, 95).amd) == {"HUMAN": 0, "VOICEMAIL": 0, "FAX": 0, "SIT": 1, "UNKNOWN": 4}
    with pytest.raises(ValueError, match="MACHINE"):
        AmdLabel(1, "MACHINE")


@pytest.mark.parametrize(
    ("word", "label"),
    [
        ("HUMAN", "HUMAN"),
        ("MACHINE", "VOICEMAIL"),
        ("notsure", "UNKNOWN"),
        ("VOICEMAIL", "VOICEMAIL"),
        ("FAX_CNG", "FAX"),
        ("CED", "FAX"),
        ("SIT", "SIT"),
        ("", "UNKNOWN"),
        (None, "UNKNOWN"),
        ("NOISE", "UNKNOWN"),
    ],
)
def test_amd_label_maps_freeswitch_words(word: str | None, label: str) -> None:
    assert amd_label(word) == label


def test_a_late_event_lands_in_its_own_second_or_is_left_out() -> None:
    board = feed(KpiBoard(), Answered(100, C), Answered(50, C))  # 50 s late: counted in second 50
    assert at(board, 101).answered5m == 2
    assert at(board, 349.5).answered5m == 2
    assert at(board, 350).answered5m == 1
    # older than the window when it arrives (second 50 is the edge at 350): only cc moves
    feed(board, Answered(50.5, C), Answered(30, C), Originated(30, C))
    assert (at(board, 350).answered5m, at(board, 350).cc) == (1, 1)


# -- scopes ----------------------------------------------------------------------------------------


def test_each_event_updates_global_its_campaign_and_its_trunk() -> None:
    board = feed(
        KpiBoard(),
        Originated(1, "cmp_1", "gw_a"),
        Originated(1, "cmp_2", "gw_a"),
        Originated(1, None, "gw_b"),
        Originated(1, "cmp_1", None),
    )
    cc = {key: board.snapshot(key[0], key[1], 2).cc for key in board.scopes}
    assert cc == {
        ("global", None): 4,
        ("campaign", "cmp_1"): 2,
        ("campaign", "cmp_2"): 1,
        ("trunk", "gw_a"): 2,
        ("trunk", "gw_b"): 1,
    }
    assert [(m["scope"], m["id"], m["cc"]) for m in board.tick(2, EPOCH)] == [
        ("global", "global", 4),
        ("campaign", "cmp_1", 2),
        ("campaign", "cmp_2", 1),
        ("trunk", "gw_a", 2),
        ("trunk", "gw_b", 1),
    ]


def test_an_idle_scope_is_dropped_and_one_with_calls_up_is_kept() -> None:
    board = feed(KpiBoard(), Answered(10.0, "cmp_idle", T), Originated(10.0, "cmp_up"))
    assert {m["id"] for m in board.tick(309.9, EPOCH)} == {"global", "cmp_idle", "cmp_up", T}
    assert {m["id"] for m in board.tick(310.0, EPOCH)} == {"global", "cmp_up"}
    assert ("campaign", "cmp_idle") not in board.scopes
    assert at(board, 310.0, "campaign", "cmp_idle") == KpiFigures()
    assert {m["id"] for m in board.tick(5000, EPOCH)} == {"global", "cmp_up"}
    feed(board, Ended(5001, answered=False, campaign="cmp_up"))
    assert {m["id"] for m in board.tick(5300.9, EPOCH)} == {"global", "cmp_up"}
    assert [m["id"] for m in board.tick(5301.0, EPOCH)] == ["global"]  # global is always there
    assert board.scopes == (("global", None),)


def test_record_drops_idle_scopes_without_a_tick() -> None:
    board = KpiBoard()
    for minute in range(30):
        feed(board, Answered(minute * 60.0, f"cmp_{minute}"))
    assert len(board.scopes) <= 1 + 6  # the global scope, and the campaigns of the last 5-6 minutes


def test_scope_names_are_checked() -> None:
    board = KpiBoard()
    with pytest.raises(ValueError, match="scope"):
        board.snapshot("queue", "sales", 1)
    with pytest.raises(ValueError, match="id"):
        board.snapshot("campaign", None, 1)
    assert board.snapshot("global", "ignored", 1) == KpiFigures()


# -- the message -----------------------------------------------------------------------------------


def busy_board(now: float) -> KpiBoard:
    """10 calls a second from t=0, half of them answered, each up 7 s; fed up to `now`."""
    rng = random.Random(7)
    events: list[KpiEvent] = []
    for i in range(2000):
        t = i / 10
        events.append(Originated(t, C, T))
        if rng.random() < 0.5:
            events += [Answered(t + 3, C, T), AmdLabel(t + 5, rng.choice(AMD_LABELS), C, T)]
            events += [LiveAnswer(t + 6, rng.random() < 0.03, C, T)]
            events.append(Ended(t + 7, answered=True, billsec=rng.randint(1, 300), campaign=C, trunk=T))
        else:
            events.append(Ended(t + 7, answered=False, campaign=C, trunk=T))
    return feed(KpiBoard(), *sorted((e for e in events if e.t <= now), key=lambda e: e.t))


def test_kpi_tick_has_the_contracts_keys_in_order_and_its_types() -> None:
    messages = busy_board(150.55).tick(150.55, EPOCH)
    assert [(m["scope"], m["id"]) for m in messages] == [("global", "global"), ("campaign", C), ("trunk", T)]
    for message in messages:
        assert list(message) == list(CONTRACT)
        assert list(message["amd"]) == list(CONTRACT["amd"])
        assert message["type"] == "kpi.tick"
        assert message["windowSec"] == 60
        assert message["ts"] == 1736722800123
        for key in ("scope", "id"):
            assert type(message[key]) is str
        for key in ("asr5m", "acd", "cps", "abandon60s", "humanRate"):
            assert type(message[key]) is float
        for key in ("cc", "windowSec", "ts"):
            assert type(message[key]) is int
        assert all(type(n) is int for n in message["amd"].values())
        assert 0 <= message["asr5m"] <= 1 and 0 <= message["abandon60s"] <= 1 and 0 <= message["humanRate"] <= 1
        assert message["asr5m"] == round(message["asr5m"], 4) and message["cps"] == round(message["cps"], 2)
        assert message["acd"] == round(message["acd"], 1)
        assert json.loads(json.dumps(message)) == message
    assert (messages[1]["cps"], messages[1]["cc"]) == (10.0, 70)  # 10 a second, each up 7 s


def test_snapshot_reads_the_same_windows_as_tick() -> None:
    board = busy_board(150.55)
    for message in board.tick(150.55, EPOCH):
        id = None if message["scope"] == "global" else message["id"]
        assert board.snapshot(message["scope"], id, 150.55).message(message["scope"], id, message["ts"]) == message


# -- against a brute-force model -------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    t: float


def ratio(part: int, whole: int) -> float:
    return round(min(part / whole, 1), 4) if whole else 0.0


def model(events: list[KpiEvent], now: float, key: tuple[str, str | None]) -> dict[str, object]:
    """The definitions read literally off the whole history."""
    scope, id = key
    mine = [
        e
        for e in events
        if scope == "global" or (scope == "campaign" and e.campaign == id) or (scope == "trunk" and e.trunk == id)
    ]
    second = math.floor(now)

    def within(e: KpiEvent, n: int) -> bool:
        return second - math.floor(e.t) < n

    calls = 0
    for e in mine:
        if isinstance(e, Originated):
            calls += 1
        elif isinstance(e, Ended):
            calls = max(calls - 1, 0)
    answered = sum(1 for e in mine if isinstance(e, Answered) and within(e, 300))
    unanswered = sum(1 for e in mine if isinstance(e, Ended) and not e.answered and within(e, 300))
    billsec = [round(e.billsec * 1000) for e in mine if isinstance(e, Ended) and e.answered and within(e, 300)]
    started = sum(1 for e in mine if isinstance(e, Originated) and 1 <= second - math.floor(e.t) <= 10)
    live = [e.abandoned for e in mine if isinstance(e, LiveAnswer) and within(e, 60)]
    answers60 = sum(1 for e in mine if isinstance(e, Answered) and within(e, 60))
    amd = {
        label: sum(1 for e in mine if isinstance(e, AmdLabel) and e.label == label and within(e, 60))
        for label in AMD_LABELS
    }
    return {
        "type": "kpi.tick",
        "scope": scope,
        "id": id or "global",
        "asr5m": ratio(answered, answered + unanswered),
        "acd": round(sum(billsec) / len(billsec) / 1000, 1) if billsec else 0.0,
        "cps": round(started / 10, 2),
        "cc": calls,
        "abandon60s": ratio(sum(live), len(live)),
        "humanRate": ratio(amd["HUMAN"], answers60),
        "amd": amd,
        "windowSec": 60,
        "ts": 0,
    }


CAMPAIGNS = st.sampled_from([None, "c1", "c2"])
TRUNKS = st.sampled_from([None, "t1"])
STEP = st.one_of(
    st.builds(Originated, st.just(0.0), CAMPAIGNS, TRUNKS),
    st.builds(Answered, st.just(0.0), CAMPAIGNS, TRUNKS),
    st.builds(AmdLabel, st.just(0.0), st.sampled_from(AMD_LABELS), CAMPAIGNS, TRUNKS),
    st.builds(LiveAnswer, st.just(0.0), st.booleans(), CAMPAIGNS, TRUNKS),
    st.builds(Ended, st.just(0.0), st.booleans(), st.integers(0, 900), CAMPAIGNS, TRUNKS),
    st.builds(Query, st.just(0.0)),
)
EDGES = st.sampled_from([1.0, 9.0, 10.0, 11.0, 59.0, 60.0, 61.0, 240.0, 299.0, 300.0, 301.0])
GAP = st.one_of(st.just(0.0), st.floats(0, 2), EDGES, st.floats(0, 70), st.floats(250, 400))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(GAP, STEP), max_size=80))
def test_the_board_agrees_with_the_definitions_read_literally(steps: list[tuple[float, KpiEvent | Query]]) -> None:
    board, history, now = KpiBoard(), list[KpiEvent](), 1000.0
    keys = [("global", None), ("campaign", "c1"), ("campaign", "c2"), ("trunk", "t1")]
    for gap, step in steps:
        now += gap
        if isinstance(step, Query):
            for key in keys:
                assert board.snapshot(key[0], key[1], now).message(key[0], key[1], 0) == model(history, now, key)
            messages = board.tick(now, 0)
            assert messages == [
                model(history, now, (m["scope"], m["id"] if m["scope"] != "global" else None)) for m in messages
            ]
        else:
            event = replace(step, t=now)
            board.record(event)
            history.append(event)


# -- bounded memory --------------------------------------------------------------------------------


def test_memory_stays_bounded_over_a_million_events_and_hours_of_calls() -> None:
    """About 93 events a second for 3 simulated hours, on campaigns and trunks that come and go."""
    rng = random.Random(11)
    board = KpiBoard()
    per_scope = KpiWindow().cells
    events, second, most = 0, 0, 0
    ending: list[list[Ended]] = [[] for _ in range(64)]  # calls to end, by second mod 64
    while events < 1_000_000:
        wave = second // 900  # a new set of 10 campaigns and 4 trunks every 15 minutes
        record = board.record
        for _ in range(rng.randint(15, 25)):
            t = second + rng.random()
            campaign = f"cmp_{wave * 10 + rng.randrange(10)}"
            trunk = f"gw_{wave * 4 + rng.randrange(4)}" if rng.random() < 0.9 else None
            record(Originated(t, campaign, trunk))
            events += 1
            answered = rng.random() < 0.5
            if answered:
                record(Answered(t + 0.5, campaign, trunk))
                record(AmdLabel(t + 0.6, rng.choice(AMD_LABELS), campaign, trunk))
                record(LiveAnswer(t + 0.7, rng.random() < 0.03, campaign, trunk))
                events += 3
            ending[(second + rng.randint(1, 60)) % 64].append(Ended(t + 0.8, answered, 30, campaign, trunk))
        for end in ending[second % 64]:
            record(Ended(second + 0.9, end.answered, end.billsec, end.campaign, end.trunk))
            events += 1
        ending[second % 64] = []
        if second % 10 == 0:
            board.tick(second + 0.95, 1.7e9 + second)
        # at most 2 waves live at once (the last 15 minutes and 5 minutes of the one before): 28 + global
        assert len(board.scopes) <= 1 + 2 * (10 + 4)
        assert board.cells == len(board.scopes) * per_scope
        most = max(most, len(board.scopes))
        second += 1
    assert second > 3 * 3600
    for end in (e for bucket in ending for e in bucket):
        board.record(Ended(second, end.answered, end.billsec, end.campaign, end.trunk))
    assert board.snapshot("global", None, second).cc == 0
    assert [m["id"] for m in board.tick(second + 301, 0)] == ["global"]
    assert most >= 1 + 10 + 4
