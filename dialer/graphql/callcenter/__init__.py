"""Queues, agents and tiers (contract section "Queues & Agents (mod_callcenter)")."""
