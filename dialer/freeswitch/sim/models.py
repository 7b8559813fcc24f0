"""Per-trunk call models: what the far end does with a call, drawn from a seeded generator.

Pure: no I/O, no clock. The simulated switch draws one CallPlan per originate, from the trunk's
own random stream, so a run is reproducible from its seed whatever the other trunks do."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Dist:
    """A duration in seconds: `fixed` (a), `uniform` (a..b), `lognormal` (median a, sigma b),
    `exponential` (mean a). Results are clipped to [low, high]."""

    kind: str = "fixed"
    a: float = 0.0
    b: float = 0.0
    low: float = 0.0
    high: float = 3600.0

    def sample(self, rng: random.Random) -> float:
        if self.kind == "fixed":
            value = self.a
        elif self.kind == "uniform":
            value = rng.uniform(self.a, self.b)
        elif self.kind == "lognormal":
            value = rng.lognormvariate(math.log(max(self.a, 1e-9)), self.b)
        elif self.kind == "exponential":
            value = rng.expovariate(1.0 / self.a) if self.a > 0 else 0.0
        else:
            raise ValueError(f"unknown distribution {self.kind!r}")
        return min(self.high, max(self.low, value))

    @classmethod
    def parse(cls, spec: str | float | Mapping[str, object]) -> Dist:
        """`2.5`, `"uniform:1:4"`, `"lognormal:2:0.5"`, or a mapping of the fields."""
        if isinstance(spec, int | float):
            return cls("fixed", float(spec))
        if isinstance(spec, Mapping):
            return cls(**spec)  # type: ignore[arg-type]
        kind, *numbers = str(spec).split(":")
        return cls(kind, *(float(n) for n in numbers))


# Outcomes a trunk can give a call. "sip:<code>" entries are final SIP failures (486, 480, 404, 503...).
ANSWERED = ("human", "voicemail", "fax")
OUTCOMES = (*ANSWERED, "busy", "no_answer", "sit")


@dataclass(frozen=True)
class TrunkModel:
    """Shares are relative weights over all outcomes (they need not add up to 1)."""

    human: float = 0.30
    voicemail: float = 0.12
    fax: float = 0.01
    busy: float = 0.10
    no_answer: float = 0.30
    sit: float = 0.04
    sip_failures: Mapping[int, float] = field(default_factory=lambda: {404: 0.05, 480: 0.04, 503: 0.04})
    # Post-dial delay: INVITE to the first 18x (or to the failure).
    pdd: Dist = Dist("lognormal", 1.2, 0.4, 0.05, 10)
    # First 18x to answer, for answered calls.
    ring: Dist = Dist("lognormal", 7.0, 0.5, 0.5, 45)
    # For SIT outcomes: early media to the carrier's disconnect (the tones play in between).
    sit_after: Dist = Dist("uniform", 1.0, 3.0)
    # Share of calls whose 18x is a 183 with early media (else a 180 ring).
    early_media: float = 0.6
    # Answer to the far end's BYE, per outcome; the controller may hang up first.
    talk: Dist = Dist("lognormal", 60.0, 0.8, 3, 1800)
    voicemail_talk: Dist = Dist("uniform", 25, 40)
    fax_talk: Dist = Dist("uniform", 10, 30)
    # Answer to the AMD verdict; the voicemail greeting's end (the beep) for machines.
    amd_delay: Dist = Dist("uniform", 1.5, 3.5)
    beep_after: Dist = Dist("uniform", 6, 14)
    # Probability the AMD verdict is right (a human classed MACHINE, or a machine HUMAN, otherwise).
    amd_accuracy: float = 0.92

    @classmethod
    def from_mapping(cls, data: Mapping[str, object]) -> TrunkModel:
        values: dict[str, object] = {}
        for name, value in data.items():
            if name == "sip_failures":
                values[name] = {int(code): float(share) for code, share in dict(value).items()}  # type: ignore[call-overload]
            elif name in {"pdd", "ring", "sit_after", "talk", "voicemail_talk", "fax_talk", "amd_delay", "beep_after"}:
                values[name] = Dist.parse(value)  # type: ignore[arg-type]
            elif name in cls.__dataclass_fields__:
                values[name] = float(value)  # type: ignore[arg-type]
            else:
                raise ValueError(f"unknown trunk model field {name!r}")
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class CallPlan:
    """Everything that will happen to one call, decided when it is originated."""

    outcome: str  # human | voicemail | fax | busy | no_answer | sit | sip
    pdd: float
    sip_status: int | None = None  # for outcome "sip"
    early_media: bool = False
    ring: float = 0.0
    talk: float = 0.0
    amd: str | None = None  # HUMAN | MACHINE | NOTSURE
    amd_cause: str | None = None
    amd_delay: float = 0.0
    beep_after: float | None = None

    @property
    def answered(self) -> bool:
        return self.outcome in ANSWERED


_MACHINE_CAUSES = ("LONGGREETING", "MAXWORDS", "MAXWORDLENGTH")


def draw_plan(model: TrunkModel, rng: random.Random) -> CallPlan:
    weights = {name: getattr(model, name) for name in OUTCOMES}
    weights.update({f"sip:{code}": share for code, share in model.sip_failures.items()})
    names = list(weights)
    outcome = rng.choices(names, weights=[weights[n] for n in names])[0]
    pdd = model.pdd.sample(rng)
    if outcome.startswith("sip:"):
        return CallPlan("sip", pdd, sip_status=int(outcome[4:]))
    if outcome == "busy":
        return CallPlan("busy", pdd, sip_status=486)
    early = rng.random() < model.early_media
    if outcome == "no_answer":
        return CallPlan("no_answer", pdd, early_media=early)
    if outcome == "sit":
        return CallPlan("sit", pdd, early_media=True, ring=model.sit_after.sample(rng))
    ring = model.ring.sample(rng)
    right = rng.random() < model.amd_accuracy
    if outcome == "human":
        amd, cause = ("HUMAN", "HUMAN") if right else ("MACHINE", "LONGGREETING")
        talk = model.talk.sample(rng)
        return CallPlan("human", pdd, None, early, ring, talk, amd, cause, model.amd_delay.sample(rng))
    talk = (model.voicemail_talk if outcome == "voicemail" else model.fax_talk).sample(rng)
    amd, cause = ("MACHINE", rng.choice(_MACHINE_CAUSES)) if right else ("HUMAN", "HUMAN")
    beep = model.beep_after.sample(rng) if outcome == "voicemail" else None
    return CallPlan(outcome, pdd, None, early, ring, talk, amd, cause, model.amd_delay.sample(rng), beep)


def trunk_rng(seed: int | str, trunk: str) -> random.Random:
    """Each trunk's own stream: adding traffic on one trunk does not change another's calls."""
    return random.Random(f"{seed}:{trunk}")
