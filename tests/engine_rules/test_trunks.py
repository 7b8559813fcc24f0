"""Trunk choice: weights, caps, CPS buckets on a fake clock, backoff on trunk failures, reasons."""

from __future__ import annotations

from collections import Counter

import pytest

from dialer.engine.trunks import (
    BackoffPolicy,
    Breaker,
    TrunkBook,
    TrunkSpec,
    back_off,
    backed_off_until,
    choose,
    credits_of,
    record,
    specs,
    trunk_failure,
    with_credits,
    with_tokens,
)

FAST = 1e6  # a CPS high enough not to matter


def spec(name: str, weight: float = 1, cps: float = FAST, **kw: object) -> TrunkSpec:
    return TrunkSpec(name, weight, cps, **kw)  # type: ignore[arg-type]


def test_smooth_weighted_round_robin_is_deterministic_and_spread() -> None:
    trunks = [spec("a", 5), spec("b", 1), spec("c", 1)]
    choice = choose(TrunkBook(), trunks, {}, 7, now=0.0)
    assert choice.picks == ("a", "a", "b", "a", "c", "a", "a")  # nginx's sequence for 5:1:1
    assert choice.reason is None


def test_weights_hold_over_many_picks_and_across_ticks() -> None:
    trunks = [spec("a", 3), spec("b", 1.5), spec("c", 0.5)]
    assert Counter(choose(TrunkBook(), trunks, {}, 5000, now=0.0).picks) == {"a": 3000, "b": 1500, "c": 500}
    book, seen = TrunkBook(), Counter[str]()
    for tick in range(1000):  # one call a tick: the credit carries over
        choice = choose(book, trunks, {}, 1, now=float(tick))
        book, seen = choice.book, seen + Counter(choice.picks)
    assert seen == {"a": 600, "b": 300, "c": 100}


def test_caps_send_the_share_to_the_others() -> None:
    trunks = [spec("a", 1, cap=2), spec("b", 1)]
    choice = choose(TrunkBook(), trunks, {"a": 1}, 6, now=0.0)
    assert Counter(choice.picks) == {"a": 1, "b": 5}
    full = choose(TrunkBook(), [spec("a", cap=2), spec("b", cap=1)], {"a": 2, "b": 1}, 3, now=0.0)
    assert (full.picks, full.reason, dict(full.blocked)) == ((), "at_cap", {"a": "at_cap", "b": "at_cap"})
    assert full.retry_at is None  # only a call ending frees a place


def test_a_trunk_without_a_cap_is_limited_by_max_channels() -> None:
    choice = choose(TrunkBook(), [spec("a")], {"a": 3}, 10, now=0.0, max_channels=5)
    assert (choice.picks, choice.reason) == (("a", "a"), "max_channels")
    busy = choose(TrunkBook(), [spec("a", cap=10), spec("b", cap=10)], {"a": 4, "b": 4}, 5, now=0.0, max_channels=8)
    assert (busy.picks, busy.reason) == ((), "max_channels")


def test_cps_token_bucket_on_a_fake_clock() -> None:
    trunks = [spec("a", cps=5)]
    first = choose(TrunkBook(), trunks, {}, 20, now=100.0)
    assert len(first.picks) == 5 and first.reason == "cps"
    assert first.retry_at == pytest.approx(100.2)  # one token every 1/5 s
    half = choose(first.book, trunks, {}, 20, now=100.5)
    assert len(half.picks) == 2  # 2.5 tokens refilled
    later = choose(half.book, trunks, {}, 20, now=110.0)
    assert len(later.picks) == 5  # the bucket holds one second's worth, not ten
    small = TrunkBook(burst_s=0.2)
    assert len(choose(small, trunks, {}, 20, now=0.0).picks) == 1


def test_cps_limited_trunk_leaves_the_rest_to_the_others() -> None:
    trunks = [spec("a", 1, cps=2), spec("b", 1, cps=10)]
    choice = choose(TrunkBook(), trunks, {}, 30, now=0.0)
    assert Counter(choice.picks) == {"a": 2, "b": 10}
    assert choice.reason == "cps" and choice.retry_at == pytest.approx(0.1)


def fail(book: TrunkBook, trunk: str, n: int, now: float, failed: bool = True) -> TrunkBook:
    for i in range(n):
        book = record(book, trunk, failed, now + i * 0.01, started_at=now - 1)
    return book


def test_a_burst_of_503s_backs_the_trunk_off_and_its_share_goes_to_the_others() -> None:
    trunks = [spec("a", 1), spec("b", 1)]
    book = fail(TrunkBook(), "a", 4, now=0.0)
    assert book.state("a").breaker is Breaker.closed
    book = fail(book, "a", 1, now=1.0)
    assert book.state("a").breaker is Breaker.open
    choice = choose(book, trunks, {}, 10, now=2.0)
    assert choice.picks == ("b",) * 10
    alone = choose(book, [spec("a")], {}, 1, now=2.0)
    assert (alone.reason, alone.retry_at) == ("backed_off", pytest.approx(11.0))  # 10 s from the trip


def test_half_open_probes_then_recovery() -> None:
    trunks = [spec("a", 1), spec("b", 1)]
    book = fail(TrunkBook(), "a", 5, now=0.0)
    opened = book.state("a").open_until
    probe = choose(book, trunks, {}, 10, now=opened + 0.1)
    assert Counter(probe.picks) == {"a": 1, "b": 9}  # one probe at a time
    book = record(probe.book, "a", True, now=opened + 0.5, started_at=opened + 0.1)  # the probe failed
    state = book.state("a")
    assert state.breaker is Breaker.open and state.open_until == pytest.approx(opened + 0.5 + 20)  # doubled
    t = state.open_until
    for i in range(3):  # three good probes, one after the other
        choice = choose(book, trunks, {}, 2, now=t + i)
        assert "a" in choice.picks
        book = record(choice.book, "a", False, now=t + i + 0.5, started_at=t + i)
    assert book.state("a").breaker is Breaker.closed and book.state("a").level == 0
    assert Counter(choose(book, trunks, {}, 10, now=t + 10).picks) == {"a": 5, "b": 5}


def test_outcomes_of_calls_started_before_the_trip_are_ignored() -> None:
    book = fail(TrunkBook(), "a", 5, now=0.0)
    opened_at = book.state("a").opened_at
    assert opened_at is not None
    late = record(book, "a", True, now=opened_at + 30, started_at=opened_at - 1)  # half-open by now
    assert late.state("a").breaker is Breaker.half_open and late.state("a").level == 1


def test_a_stuck_probe_stops_blocking_after_the_timeout() -> None:
    book = fail(TrunkBook(), "a", 5, now=0.0)
    t = book.state("a").open_until
    first = choose(book, [spec("a")], {}, 1, now=t)
    assert first.picks == ("a",)
    assert choose(first.book, [spec("a")], {}, 1, now=t + 30).reason == "backed_off"
    assert choose(first.book, [spec("a")], {}, 1, now=t + 61).picks == ("a",)


def test_failure_ratio_over_the_window_and_ageing() -> None:
    book = TrunkBook()
    for i in range(10):  # alternating: never 5 in a row, but half of 10
        book = record(book, "a", i % 2 == 0, now=float(i))
    assert book.state("a").breaker is Breaker.open
    old = fail(TrunkBook(), "a", 4, now=0.0)
    old = record(old, "a", True, now=500.0)  # the first four are out of the 120 s window
    assert old.state("a").breaker is Breaker.closed
    policy = BackoffPolicy(consecutive=2, base_s=1.0)
    assert fail(TrunkBook(backoff=policy), "a", 2, now=0.0).state("a").open_until == pytest.approx(1.01)


def test_backoff_is_capped() -> None:
    book, t = TrunkBook(), 0.0
    for _ in range(8):
        book = fail(book, "a", 5, now=t) if book.state("a").breaker is Breaker.closed else book
        t = book.state("a").open_until
        choice = choose(book, [spec("a")], {}, 1, now=t)
        book = record(choice.book, "a", True, now=t + 0.1, started_at=t)
    state = book.state("a")
    assert state.open_until - (t + 0.1) == pytest.approx(300.0)


def test_disabled_trunks_and_reasons() -> None:
    trunks = [spec("a", 1, enabled=False), spec("b", 1)]
    assert set(choose(TrunkBook(), trunks, {}, 5, now=0.0).picks) == {"b"}
    none = choose(TrunkBook(), [spec("a", enabled=False)], {}, 1, now=0.0)
    assert (none.picks, none.reason) == ((), "disabled")
    assert choose(TrunkBook(), [], {}, 1, now=0.0).reason == "no_trunks"
    assert choose(TrunkBook(), [spec("a", 0)], {}, 1, now=0.0).reason == "no_trunks"
    mixed = choose(TrunkBook(), [spec("a", enabled=False), spec("b", cap=1)], {"b": 1}, 1, now=0.0)
    assert mixed.reason == "mixed" and dict(mixed.blocked) == {"a": "disabled", "b": "at_cap"}
    backed = fail(TrunkBook(), "b", 5, now=0.0)
    both = choose(backed, [spec("a", cap=1), spec("b")], {"a": 1}, 1, now=1.0)
    assert dict(both.blocked) == {"a": "at_cap", "b": "backed_off"} and both.retry_at == pytest.approx(10.04)


def test_specs_from_a_campaigns_policy() -> None:
    policy = {"weights": {"b": 1, "a": 3, "ghost": 1}, "caps": {"a": 10}}
    got = specs(policy, {"a": (20, True), "b": (5, False)})
    assert got == [
        TrunkSpec("a", 3.0, 20.0, True, 10),
        TrunkSpec("b", 1.0, 5.0, False, None),
        TrunkSpec("ghost", 1.0, 0.0, False, None),
    ]


@pytest.mark.parametrize(
    ("status", "cause", "failed"),
    [
        (503, "NORMAL_TEMPORARY_FAILURE", True),
        (500, None, True),
        (None, "GATEWAY_DOWN", True),
        (None, "network_out_of_order", True),
        (None, "RECOVERY_ON_TIMER_EXPIRE", True),
        (486, "USER_BUSY", False),
        (480, "NO_ANSWER", False),
        (404, "UNALLOCATED_NUMBER", False),
        (603, "CALL_REJECTED", False),
        (None, "NORMAL_CLEARING", False),
        (None, None, False),
    ],
)
def test_trunk_failure(status: int | None, cause: str | None, failed: bool) -> None:
    assert trunk_failure(status, cause) is failed


class Campaign:
    """A campaign drawing on a book shared with others, with its own round-robin credit."""

    def __init__(self, trunks: list[TrunkSpec]) -> None:
        self.trunks, self.credits = trunks, {}

    def choose(self, shared: list[TrunkBook], k: int, now: float) -> tuple[str, ...]:
        choice = choose(with_credits(shared[0], self.credits), self.trunks, {}, k, now)
        shared[0], self.credits = choice.book, credits_of(choice.book)
        return choice.picks


def test_campaigns_sharing_a_book_keep_their_own_weights() -> None:
    shared = [TrunkBook()]
    main_first = Campaign([spec("a", 3), spec("b", 1)])
    even = Campaign([spec("a", 1), spec("b", 1)])
    seen: dict[int, Counter[str]] = {id(main_first): Counter(), id(even): Counter()}
    for tick in range(400):  # interleaved, one call each a tick
        for campaign in (main_first, even):
            seen[id(campaign)].update(campaign.choose(shared, 1, now=float(tick)))
    assert seen[id(main_first)] == {"a": 300, "b": 100}
    assert seen[id(even)] == {"a": 200, "b": 200}


def test_campaigns_sharing_a_book_share_its_breakers_and_cps() -> None:
    shared = [fail(TrunkBook(), "a", 5, now=0.0)]  # the first campaign's calls found "a" failing
    other = Campaign([spec("a", 1), spec("b", 1)])
    assert other.choose(shared, 4, now=1.0) == ("b",) * 4  # backed off for the second one too
    # One bucket of 10 calls a second for both: what one does not use, the other may.
    busy, idle = Campaign([spec("c", cps=10)]), Campaign([spec("c", cps=10)])
    assert len(busy.choose(shared, 20, now=100.0)) == 10
    assert idle.choose(shared, 1, now=100.0) == ()
    assert len(busy.choose(shared, 20, now=101.0)) == 10


def test_a_book_mirrors_a_bucket_and_a_backoff_kept_elsewhere() -> None:
    trunks = [spec("a", cps=10), spec("b", cps=10)]
    book = with_tokens(TrunkBook(), {"a": 2.0}, now=5.0)  # the shared bucket holds two calls for "a"
    assert Counter(choose(book, trunks, {}, 8, now=5.0).picks) == {"a": 2, "b": 6}
    assert len(choose(book, [spec("a", cps=10)], {}, 8, now=5.5).picks) == 7  # and refills as before

    assert backed_off_until(book, "a") is None
    book = back_off(book, "a", until=30.0, now=10.0)  # another replica backed "a" off until 30
    assert backed_off_until(book, "a") == 30.0
    assert choose(book, [spec("a")], {}, 1, now=29.0).reason == "backed_off"
    assert back_off(book, "a", until=20.0, now=11.0) is book  # a shorter one changes nothing
    assert back_off(book, "b", until=9.0, now=10.0) is book  # nor one already over
    # The next backoff this book starts itself is its own first: its level did not move.
    book = record(back_off(TrunkBook(), "a", until=30.0, now=10.0), "a", False, now=31.0)
    assert book.state("a").breaker is Breaker.half_open
    book = record(book, "a", True, now=32.0)
    assert backed_off_until(book, "a") == pytest.approx(42.0)
