"""Campaigns: create, change and run outbound campaigns."""

from dialer.graphql.campaigns.schema import CampaignMutation, CampaignQuery

__all__ = ["CampaignMutation", "CampaignQuery"]
