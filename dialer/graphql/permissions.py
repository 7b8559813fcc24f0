"""Who may do what. Roles, the authenticated principal, and the role sets operations declare."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(str, enum.Enum):
    admin = "admin"
    supervisor = "supervisor"
    agent = "agent"
    viewer = "viewer"
    integration = "integration"


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    # "tok_12" for opaque tokens, None for JWTs (their subject identifies them).
    token_id: str | None = None


ALL = frozenset(Role)
# Read campaigns, lists, queues, agents and reports.
READ = frozenset({Role.admin, Role.supervisor, Role.viewer})
# Operate campaigns, lists, queues and agents.
OPERATE = frozenset({Role.admin, Role.supervisor})
# The audit trail names people and addresses: supervisors and admins only.
AUDIT_READ = frozenset({Role.admin, Role.supervisor})
# External systems (CRM, PBX, FreeSWITCH hooks) post their own audit events with an integration token.
AUDIT_WRITE = frozenset({Role.admin, Role.supervisor, Role.integration})
ADMIN = frozenset({Role.admin})
