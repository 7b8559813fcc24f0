"""Audit: the append-only record of every change, and events posted by other systems."""

from dialer.graphql.audit.schema import AuditMutation, AuditQuery

__all__ = ["AuditMutation", "AuditQuery"]
