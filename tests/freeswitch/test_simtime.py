"""The same call models in simulated time, with no socket: reproducible, and fast."""

from __future__ import annotations

import time
from collections import Counter

from dialer.freeswitch.causes import cause_of
from dialer.freeswitch.sim import Dist, Switch, SwitchConfig, TrunkModel, VirtualClock
from dialer.freeswitch.sim.models import draw_plan, trunk_rng


def run(seed: int, minutes: int = 20) -> tuple[Counter[str], Counter[str], float]:
    clock = VirtualClock()
    switch = Switch(clock, SwitchConfig(seed=seed, trunks={"gw_main": TrunkModel(), "gw_backup": TrunkModel(busy=0.5)}))
    causes: Counter[str] = Counter()
    amd: Counter[str] = Counter()
    switch.subscribers.append(
        lambda e: (
            causes.update([f"{e['variable_trunk_id']}:{cause_of(e).name}"])
            if e["Event-Name"] == "CHANNEL_HANGUP_COMPLETE"
            else amd.update([e["AMD-Result"]])
            if e.get("Event-Subclass") == "amd"
            else None
        )
    )
    started = time.perf_counter()
    for second in range(minutes * 60):  # 5 calls a second, alternating trunks
        for index in range(5):
            trunk = "gw_main" if index % 2 else "gw_backup"
            variables = f"{{trunk_id={trunk},originate_timeout=30}}"
            switch.api("originate", f"{variables}sofia/gateway/{trunk}/1555{second:05d}{index} &park()", lambda _: None)
        clock.advance(1.0)
    clock.advance(3600)
    return causes, amd, time.perf_counter() - started


def test_twenty_minutes_of_traffic_are_reproducible_and_take_a_second() -> None:
    first, amd, elapsed = run(seed=11)
    again, _, _ = run(seed=11)
    other, _, _ = run(seed=12)
    assert first == again and first != other
    assert sum(first.values()) == 6_000
    assert elapsed < 10
    main = {cause: n for cause, n in first.items() if cause.startswith("gw_main:")}
    backup_busy = first["gw_backup:USER_BUSY"] / sum(n for c, n in first.items() if c.startswith("gw_backup:"))
    assert 0.32 < backup_busy < 0.39  # busy weighs 0.5 of 1.4 in that model
    assert main["gw_main:NORMAL_CLEARING"] > main.get("gw_main:USER_BUSY", 0)
    assert set(amd) <= {"HUMAN", "MACHINE", "NOTSURE"} and amd["HUMAN"] > amd["MACHINE"]


def test_each_trunk_has_its_own_stream() -> None:
    model = TrunkModel(pdd=Dist("uniform", 1, 2))
    a = [draw_plan(model, trunk_rng(1, "a")) for _ in range(1)]
    rng = trunk_rng(1, "a")
    b = [draw_plan(model, rng) for _ in range(3)]
    assert a[0] == b[0]
    assert draw_plan(model, trunk_rng(1, "a")) != draw_plan(model, trunk_rng(1, "b"))
    assert Dist.parse("lognormal:2:0.5") == Dist("lognormal", 2, 0.5)
    assert TrunkModel.from_mapping({"busy": 1, "pdd": 0.5, "sip_failures": {"486": 1}}).pdd == Dist("fixed", 0.5)
