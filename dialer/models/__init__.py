"""Tortoise models, one module per domain.

`MODEL_MODULES` is what the ORM and aerich load; every new domain module is added here and gets a
migration in both `migrations/sqlite` and `migrations/postgres` (see README, "Migrations").
"""

from dialer.models.audit import AuditEntry
from dialer.models.campaigns import Campaign
from dialer.models.tokens import ApiToken

MODEL_MODULES = ["dialer.models.campaigns", "dialer.models.tokens", "dialer.models.audit"]

__all__ = ["MODEL_MODULES", "ApiToken", "AuditEntry", "Campaign"]
