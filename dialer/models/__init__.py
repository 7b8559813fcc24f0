"""Tortoise models, one module per domain.

`MODEL_MODULES` is what the ORM and aerich load; every new domain module is added here and gets a
migration in both `migrations/sqlite` and `migrations/postgres` (see README, "Migrations").
"""

from dialer.models.audit import AuditEntry
from dialer.models.callcenter import Agent, Queue, Tier
from dialer.models.campaigns import Campaign, CampaignPacing
from dialer.models.cdr import Cdr, CdrDeadLetter
from dialer.models.dnc import DncNumber
from dialer.models.imports import ImportJob, ImportReject
from dialer.models.leads import Lead, LeadAttempt, LeadList
from dialer.models.leases import CampaignLease
from dialer.models.providers import Provider, ProviderShare
from dialer.models.reports import AgentStatusChange
from dialer.models.tokens import ApiToken

MODEL_MODULES = [
    "dialer.models.campaigns",
    "dialer.models.tokens",
    "dialer.models.audit",
    "dialer.models.leads",
    "dialer.models.dnc",
    "dialer.models.imports",
    "dialer.models.callcenter",
    "dialer.models.providers",
    "dialer.models.cdr",
    "dialer.models.leases",
    "dialer.models.reports",
]

__all__ = [
    "MODEL_MODULES",
    "Agent",
    "AgentStatusChange",
    "ApiToken",
    "AuditEntry",
    "Campaign",
    "CampaignLease",
    "CampaignPacing",
    "Cdr",
    "CdrDeadLetter",
    "DncNumber",
    "ImportJob",
    "ImportReject",
    "Lead",
    "LeadAttempt",
    "LeadList",
    "Provider",
    "ProviderShare",
    "Queue",
    "Tier",
]
