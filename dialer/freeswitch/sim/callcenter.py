"""mod_callcenter, simulated: agents, tiers, queues, strategies and `callcenter::info` events
(its `callcenter_config` command is in callcenter_config.py).

Agent legs are not full channels here: an agent answers after `answer_delay` unless its contact is
`error/<CAUSE>` (then it never answers and counts a no-answer), and the bridge lasts until the
member hangs up."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from dialer.freeswitch.sim.callcenter_model import (
    LISTED,
    STATUSES,
    Agent,
    QueueParams,
    Tier,
    queue_row,
    tier_cut,
    timeout_reason,
)
from dialer.freeswitch.sim.clock import Clock, Timer


class Member(Protocol):
    """The caller's channel, as the queue sees it."""

    uuid: str
    variables: dict[str, str]

    def set_var(self, name: str, value: str) -> None: ...

    def bridged(self, agent: str, agent_uuid: str) -> None: ...


@dataclass
class Queue:
    name: str
    params: QueueParams = field(default_factory=QueueParams)
    members: list[Waiting] = field(default_factory=list)
    rotation: int = 0
    calls_answered: int = 0
    calls_abandoned: int = 0
    # Epoch seconds an agent was last seen for the queue, and last looked for (max-wait-time-with-no-agent).
    agent_seen: int = 0
    agent_check: int = 0
    timer: Timer | None = None

    @property
    def strategy(self) -> str:
        return self.params.strategy

    def row(self) -> str:
        return queue_row(self.name, self.params, self.calls_answered, self.calls_abandoned)


@dataclass
class Waiting:
    member: Member
    joined: float
    offered: list[str] = field(default_factory=list)
    agent: str | None = None
    answered: float | None = None
    timers: list[Timer] = field(default_factory=list)


class CallCenter:
    def __init__(
        self,
        clock: Clock,
        fire: Callable[[dict[str, str], Member | None], None],
        rng: random.Random,
        queues: Mapping[str, Mapping[str, Any]],
        answer_delay: float = 1.0,
    ) -> None:
        self.clock, self._fire, self._rng, self.answer_delay = clock, fire, rng, answer_delay
        self.config = {name: dict(params) for name, params in queues.items()}  # the static callcenter.conf
        self.queues: dict[str, Queue] = {}
        self.agents: dict[str, Agent] = {}
        self.tiers: dict[tuple[str, str], Tier] = {}
        for name in self.config:
            self.load_queue(name, None)

    def load_queue(self, name: str, params: Mapping[str, Any] | None) -> bool:
        """load_queue: a queue with these params (None: the static config's), replacing the loaded
        one of that name. Its members stay (the module keeps them in its database); its counters
        and agent-seen times start again. False if there is no such queue."""
        if params is None:
            params = self.config.get(name)
            if params is None:
                return False
        settings = QueueParams.from_params(params, name)
        if settings.agent_no_answer_status not in STATUSES:
            settings = replace(settings, agent_no_answer_status="On Break")
        queue, old = Queue(name, settings), self.queues.get(name)
        if old is not None:
            queue.members, queue.rotation = old.members, old.rotation
            self._disarm(old)
        self.queues[name] = queue
        self._arm(queue)
        self.dispatch()
        return True

    def unload(self, name: str) -> None:
        queue = self.queues.pop(name, None)
        if queue is not None:
            self._disarm(queue)

    def now(self) -> int:
        return int(self.clock.wall())

    def info(self, action: str, member: Member | None = None, **headers: str) -> None:
        self._fire({"CC-Action": action, **{_header(k): v for k, v in headers.items()}}, member)

    # -- agents and members ------------------------------------------------------------------

    def set_status(self, agent: Agent, status: str) -> None:
        agent.status, agent.last_status_change = status, self.now()
        self.info("agent-status-change", CC_Agent=agent.name, CC_Agent_Status=status)

    def set_state(self, agent: Agent, state: str) -> None:
        agent.state = state
        self.info("agent-state-change", CC_Agent=agent.name, CC_Agent_State=state)

    def join(self, member: Member, queue_name: str) -> bool:
        queue = self.queues.get(queue_name)
        if queue is None:
            return False
        now = self.clock.wall()
        member.set_var("cc_queue", queue_name)
        member.set_var("cc_member_uuid", member.uuid)
        member.set_var("cc_side", "member")
        member.set_var("cc_queue_joined_epoch", str(int(now)))
        queue.members.append(Waiting(member, now))
        self.info("member-queue-start", member, CC_Queue=queue_name, **_member_headers(member))
        self.info("members-count", CC_Queue=queue_name, CC_Count=str(len(queue.members)), CC_Selection="Single-Queue")
        self._arm(queue)
        self.dispatch()
        return True

    def leave(self, member: Member, hangup_cause: str) -> None:
        """The member's channel hung up: an abandon if no agent had answered."""
        for queue in self.queues.values():
            for waiting in queue.members:
                if waiting.member is member:
                    queue.members.remove(waiting)
                    self._finish(queue, waiting, hangup_cause)
                    return

    def _finish(self, queue: Queue, waiting: Waiting, hangup_cause: str, reason: str = "NONE") -> None:
        for timer in waiting.timers:
            timer.cancel()
        member, now = waiting.member, self.now()
        base = {"CC_Queue": queue.name, **_member_headers(member)}
        if waiting.answered is not None and waiting.agent:
            agent = self.agents.get(waiting.agent)
            end = {"CC_Agent": waiting.agent, "CC_Hangup_Cause": hangup_cause, "CC_Agent_Bridged": "true"}
            self.info("bridge-agent-end", member, **base, **end, CC_Bridge_Terminated_Time=str(now))
            member.set_var("cc_queue_terminated_epoch", str(now))
            self.info("member-queue-end", member, **base, **end, CC_Cause="Terminated", CC_Member_Leaving_Time=str(now))
            if agent is not None:
                agent.talk_time += int(now - waiting.answered)
                agent.last_bridge_end, agent.ready_time = now, now + agent.wrap_up_time
                if agent.status == "Available (On Demand)":
                    self.set_status(agent, "On Break")
                self.set_state(agent, "Waiting")
                if agent.wrap_up_time:
                    self.clock.call_later(agent.wrap_up_time, self.dispatch)
        else:
            for name in waiting.offered:
                self._release(name)
            queue.calls_abandoned += 1
            member.set_var("cc_cause", "cancel")
            member.set_var("cc_cancel_reason", reason)
            member.set_var("cc_queue_canceled_epoch", str(now))
            self.info(
                "member-queue-end",
                member,
                **base,
                CC_Cause="Cancel",
                CC_Cancel_Reason=reason,
                CC_Member_Leaving_Time=str(now),
            )
        self.info("members-count", CC_Queue=queue.name, CC_Count=str(len(queue.members)), CC_Selection="Single-Queue")
        self.dispatch()

    def _release(self, name: str) -> None:
        agent = self.agents.get(name)
        if agent is not None and agent.state == "Receiving":
            self.set_state(agent, "Waiting")

    # -- dispatch ----------------------------------------------------------------------------

    def _candidates(self, queue: Queue, waiting: Waiting, now: int) -> list[Agent]:
        listed = []
        for tier in self.tiers.values():
            agent = self.agents.get(tier.agent)
            if tier.queue == queue.name and agent is not None and agent.status in LISTED:
                listed.append((tier, agent))
        queue.agent_check = now
        if listed:
            queue.agent_seen = now
        strategy = queue.strategy
        order: Callable[[tuple[Tier, Agent]], Any]
        if strategy == "longest-idle-agent":
            order = lambda pair: (pair[0].level, pair[1].last_bridge_end, pair[1].last_status_change)  # noqa: E731
        elif strategy == "agent-with-least-talk-time":
            order = lambda pair: (pair[0].level, pair[1].talk_time)  # noqa: E731
        elif strategy == "agent-with-fewest-calls":
            order = lambda pair: (pair[0].level, pair[1].calls_answered)  # noqa: E731
        else:
            order = lambda pair: (pair[0].level, pair[0].position)  # noqa: E731
        listed.sort(key=order)
        if queue.params.tier_rules_apply:
            listed = listed[: tier_cut([tier.level for tier, _ in listed], queue.params, now - int(waiting.joined))]
        agents = [
            agent
            for tier, agent in listed
            if tier.state in ("Ready", "No Answer")
            and agent.status != "On Break"
            and agent.state == "Waiting"
            and agent.ready_time <= now
        ]
        if strategy == "random":
            self._rng.shuffle(agents)
        elif strategy == "round-robin" and agents:
            queue.rotation = (queue.rotation + 1) % len(agents)
            agents = agents[queue.rotation :] + agents[: queue.rotation]
        return agents

    def dispatch(self) -> None:
        now = self.now()
        for queue in self.queues.values():
            for waiting in queue.members:
                if waiting.offered or waiting.answered is not None:
                    continue
                agents = self._candidates(queue, waiting, now)
                if agents:
                    self._offer(queue, waiting, agents if queue.strategy == "ring-all" else agents[:1])
                elif not queue.params.tier_rules_apply:
                    break  # no agent for this member: none for the ones behind it either

    # -- time: tier waits and max-wait-time* (the module polls; so does this, twice a second) --

    def _arm(self, queue: Queue) -> None:
        if queue.timer is None and queue.params.needs_clock() and any(w.answered is None for w in queue.members):
            queue.timer = self.clock.call_later(0.5, self._tick, queue)

    def _disarm(self, queue: Queue) -> None:
        if queue.timer is not None:
            queue.timer.cancel()
            queue.timer = None

    def _tick(self, queue: Queue) -> None:
        queue.timer = None
        if self.queues.get(queue.name) is not queue:
            return
        self.dispatch()
        now = self.now()
        seen, check = queue.agent_seen, queue.agent_check
        for waiting in [w for w in queue.members if w.answered is None]:
            reason = timeout_reason(queue.params, int(waiting.joined), now, seen, check, bool(waiting.offered))
            if reason is not None:
                queue.members.remove(waiting)
                self._finish(queue, waiting, "", reason)
        self._arm(queue)

    def _offer(self, queue: Queue, waiting: Waiting, agents: list[Agent]) -> None:
        member, now = waiting.member, self.now()
        best: tuple[float, Agent] | None = None
        for agent in agents:
            agent.last_offered_call = now
            waiting.offered.append(agent.name)
            self.set_state(agent, "Receiving")
            self.info(
                "agent-offering",
                member,
                CC_Queue=queue.name,
                CC_Agent=agent.name,
                CC_Agent_Type=agent.type,
                CC_Agent_System="single_box",
                **_member_headers(member),
            )
            if not agent.contact.startswith("error/"):
                delay = self.answer_delay * (0.5 + self._rng.random())
                if best is None or delay < best[0]:
                    best = (delay, agent)
        if best is None:
            ring = 2.0 * self.answer_delay
            waiting.timers.append(self.clock.call_later(ring, self._no_answer, queue, waiting, list(waiting.offered)))
        else:
            waiting.timers.append(self.clock.call_later(best[0], self._answered, queue, waiting, best[1]))

    def _no_answer(self, queue: Queue, waiting: Waiting, names: list[str]) -> None:
        queue, now = self.queues.get(queue.name, queue), self.now()  # reloaded meanwhile: its new params
        for name in names:
            agent = self.agents.get(name)
            if agent is None:
                continue
            cause = agent.contact.removeprefix("error/") or "NO_ANSWER"
            self.info(
                "bridge-agent-fail",
                waiting.member,
                CC_Queue=queue.name,
                CC_Hangup_Cause=cause,
                CC_Agent=name,
                CC_Agent_System="single_box",
                CC_Agent_Called_Time=str(now),
                CC_Agent_Aborted_Time=str(now),
                **_member_headers(waiting.member),
            )
            agent.no_answer_count += 1
            agent.ready_time = now + agent.no_answer_delay_time
            self.set_state(agent, "Waiting")
            if agent.max_no_answer and agent.no_answer_count >= agent.max_no_answer:
                self.info(
                    "agent-max-no-answer",
                    CC_Agent=name,
                    CC_Agent_No_Answer_Count=str(agent.no_answer_count),
                    CC_Agent_No_Answer_Status=queue.params.agent_no_answer_status,
                    CC_Member_UUID=waiting.member.uuid,
                    CC_Member_Session_UUID=waiting.member.uuid,
                )
                self.set_status(agent, queue.params.agent_no_answer_status)
            elif agent.no_answer_delay_time:
                self.clock.call_later(agent.no_answer_delay_time, self.dispatch)
        waiting.offered.clear()
        self.dispatch()

    def _answered(self, queue: Queue, waiting: Waiting, agent: Agent) -> None:
        queue, now = self.queues.get(queue.name, queue), self.now()
        for name in waiting.offered:
            if name != agent.name:
                self._release(name)
        waiting.offered, waiting.agent, waiting.answered = [agent.name], agent.name, float(now)
        agent.calls_answered += 1
        queue.calls_answered += 1
        agent.no_answer_count = 0
        agent.last_bridge_start = now
        agent.uuid = f"{waiting.member.uuid[:-4]}a{agent.calls_answered % 1000:03d}"
        self.set_state(agent, "In a queue call")
        member = waiting.member
        for name, value in (
            ("cc_agent", agent.name),
            ("cc_agent_uuid", agent.uuid),
            ("cc_agent_found", "true"),
            ("cc_agent_bridged", "true"),
            ("cc_queue_answered_epoch", str(now)),
            ("cc_cause", "answered"),
        ):
            member.set_var(name, value)
        member.bridged(agent.name, agent.uuid)
        self.info(
            "bridge-agent-start",
            member,
            CC_Queue=queue.name,
            CC_Agent=agent.name,
            CC_Agent_System="single_box",
            CC_Agent_UUID=agent.uuid,
            CC_Agent_Called_Time=str(now),
            CC_Agent_Answered_Time=str(now),
            CC_Member_Joined_Time=str(int(waiting.joined)),
            **_member_headers(member),
        )


def _header(keyword: str) -> str:
    return keyword.replace("_", "-")


def _member_headers(member: Member) -> dict[str, str]:
    variables = member.variables
    return {
        "CC_Member_UUID": member.uuid,
        "CC_Member_Session_UUID": member.uuid,
        "CC_Member_CID_Name": variables.get("origination_caller_id_name", ""),
        "CC_Member_CID_Number": variables.get("origination_caller_id_number", ""),
        "CC_Member_DNIS": variables.get("destination_number", ""),
    }
