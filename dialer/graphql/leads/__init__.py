"""Lead lists, leads, CSV imports, retry rules and dispositions."""

from dialer.graphql.leads.schema import LeadMutation, LeadQuery, LeadSubscription

__all__ = ["LeadMutation", "LeadQuery", "LeadSubscription"]
