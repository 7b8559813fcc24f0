"""What agents and queues are doing now, from mod_callcenter's `callcenter::info` events.

Each node runs its own mod_callcenter with the same agents, so an agent's state is kept per node
and shown combined (on a call anywhere is On Call). The statuses are the contract's agent.update
ones, plus Logged Out. A queue's figures count since the start of the UTC day: members waiting now,
members serviced (bridged to an agent: counted at bridge-agent-start), and the service level
(serviced within `sla_seconds` over everyone who left the queue waiting, serviced or abandoned)."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

SLA_SECONDS = 20


def display_status(status: str, state: str, wrapping: bool) -> str:
    if status == "Logged Out":
        return "Logged Out"
    if status == "On Break":
        return "On Break"
    if state in ("In a queue call", "Receiving"):
        return "On Call"
    if state == "Idle" or wrapping:
        return "Wrapup"
    return "Available"


@dataclass
class AgentOnNode:
    status: str = "Logged Out"
    state: str = "Waiting"
    wrap_until: float = 0.0
    # When the agent's current (or last) queue call was bridged, on the board's clock.
    call_started: float | None = None


@dataclass
class QueueFigures:
    day: int
    in_queue: int = 0
    serviced: int = 0
    within_sla: int = 0
    abandoned: int = 0

    @property
    def sla(self) -> float:
        left = self.serviced + self.abandoned
        return round(self.within_sla / left, 4) if left else 1.0


@dataclass
class AgentBoard:
    # agent -> wrap-up seconds (from the desired state), to show Wrapup after a call.
    wrap_up: Mapping[str, int] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    sla_seconds: int = SLA_SECONDS
    agents: dict[str, dict[str, AgentOnNode]] = field(default_factory=dict)
    # (queue, talk + wrap-up seconds) of calls just finished, for the pacers to learn handle time.
    handled: list[tuple[str, float]] = field(default_factory=list)
    queues: dict[str, QueueFigures] = field(default_factory=dict)
    # Told (agent, status, at: the clock's time) each time an agent's combined status changes: the
    # reports' status history (dialer.graphql.reports.history). A wrap-up that ended on the clock is
    # told at its end, as soon as the agent is looked at again (an event, an API read, the timer).
    on_status: Callable[[str, str, float], None] | None = None
    _told: dict[str, str] = field(default_factory=dict)
    _told_at: dict[str, float] = field(default_factory=dict)

    def status(self, agent: str) -> str | None:
        nodes = self.agents.get(agent)
        if not nodes:
            self._tell(agent, "Logged Out", None)
            return None
        now = self.clock()
        shown = [display_status(a.status, a.state, a.wrap_until > now) for a in nodes.values()]
        for choice in ("On Call", "Wrapup", "Available", "On Break", "Logged Out"):
            if choice in shown:
                self._tell(agent, choice, nodes)
                return choice
        self._tell(agent, shown[0], nodes)
        return shown[0]

    def _tell(self, agent: str, status: str, nodes: Mapping[str, AgentOnNode] | None) -> None:
        before = self._told.get(agent)
        if self.on_status is None or before == status or (before is None and status == "Logged Out"):
            return
        at, since = self.clock(), self._told_at.get(agent, float("-inf"))
        if before == "Wrapup" and nodes:  # it ended on the clock, maybe before anyone looked
            ended = max(a.wrap_until for a in nodes.values())
            if since < ended < at:
                at = ended
        self._told[agent], self._told_at[agent] = status, at
        self.on_status(agent, status, at)

    def busy_for(self, agent: str) -> float | None:
        """Seconds since the agent's current call reached it (talk and wrap-up), None if not busy."""
        now = self.clock()
        starts = [
            a.call_started
            for a in self.agents.get(agent, {}).values()
            if a.call_started is not None and (a.state in ("In a queue call", "Receiving") or a.wrap_until > now)
        ]
        return now - min(starts) if starts else None

    def node_down(self, node: str) -> list[str]:
        changed = [agent for agent, nodes in self.agents.items() if nodes.pop(node, None) is not None]
        for agent in changed:
            self.status(agent)
        return changed

    def _queue(self, name: str) -> QueueFigures:
        day = int(self.clock() // 86_400)
        figures = self.queues.get(name)
        if figures is None or figures.day != day:
            figures = self.queues[name] = QueueFigures(day, in_queue=figures.in_queue if figures else 0)
        return figures

    def queue_update(self, name: str) -> dict[str, Any]:
        figures = self._queue(name)
        return {
            "type": "queue.update",
            "queue": name,
            "inQueue": max(figures.in_queue, 0),
            "serviced": figures.serviced,
            "slaPct": figures.sla,
            "ts": int(self.clock() * 1000),
        }

    def agent_update(self, name: str) -> dict[str, Any]:
        return {"type": "agent.update", "agentId": name, "status": self.status(name), "ts": int(self.clock() * 1000)}

    def on_event(self, node: str, headers: Mapping[str, str]) -> tuple[str | None, str | None]:
        """Apply one callcenter::info event; returns (agent whose status may have changed, queue changed)."""
        action = headers.get("CC-Action", "")
        agent_name = headers.get("CC-Agent")
        queue = headers.get("CC-Queue")
        if agent_name:
            self.status(agent_name)  # a wrap-up that ended on the clock is told before this event
            agent = self.agents.setdefault(agent_name, {}).setdefault(node, AgentOnNode())
            if action == "agent-status-change":
                agent.status = headers.get("CC-Agent-Status", agent.status)
            elif action == "agent-state-change":
                agent.state = headers.get("CC-Agent-State", agent.state)
            elif action == "bridge-agent-start":
                agent.state = "In a queue call"
                agent.call_started = self.clock()
            elif action == "bridge-agent-end":
                agent.state = "Waiting"
                wrap = self.wrap_up.get(agent_name, 0)
                agent.wrap_until = self.clock() + wrap
                if agent.call_started is not None and queue:
                    self.handled.append((queue, agent.wrap_until - agent.call_started))
        if queue and action in ("member-queue-start", "member-queue-resume"):
            self._queue(queue).in_queue += 1
        elif queue and action == "bridge-agent-start":
            # Serviced when an agent takes the caller, not when the call ends minutes later.
            figures = self._queue(queue)
            figures.in_queue -= 1
            figures.serviced += 1
            if _waited(headers) <= self.sla_seconds:
                figures.within_sla += 1
        elif queue and action == "member-queue-end" and headers.get("CC-Cause") != "Terminated":
            figures = self._queue(queue)
            figures.in_queue -= 1
            figures.abandoned += 1
        elif action != "members-count":
            queue = None
        if agent_name:
            self.status(agent_name)
        return (agent_name if agent_name else None), queue


def _waited(headers: Mapping[str, str]) -> float:
    try:
        return float(headers.get("CC-Agent-Answered-Time", "0")) - float(headers.get("CC-Member-Joined-Time", "0"))
    except ValueError:
        return float("inf")
