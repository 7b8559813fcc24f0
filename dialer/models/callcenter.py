"""mod_callcenter's objects as the dialer owns them: queues, agents and the tiers between them.

These rows are the desired state; every FreeSWITCH node is brought to it (pushed on change, re-synced
when a node connects, repaired by the watchdog). Queues and agents are named as mod_callcenter names
them, and the name is their public id."""

from tortoise import fields
from tortoise.models import Model


class Queue(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    strategy = fields.CharField(max_length=40)
    moh = fields.CharField(max_length=255)
    tier_rules_apply = fields.BooleanField()
    tier_rule_wait_second = fields.IntField()
    tier_rule_wait_multiply_level = fields.BooleanField()
    # Agent parameters in mod_callcenter: copied onto every agent tiered on this queue.
    wrap_up_sec = fields.IntField()
    no_answer_delay_sec = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "cc_queues"


class Agent(Model):
    id = fields.BigIntField(primary_key=True)
    name = fields.CharField(max_length=64, unique=True)
    contact = fields.CharField(max_length=255)
    type = fields.CharField(max_length=16)
    # What the operator asked for: Available, Logged Out, On Break or Wrapup (see callcenter docs).
    status = fields.CharField(max_length=16)
    status_changed_at = fields.DatetimeField()
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "cc_agents"


class Tier(Model):
    id = fields.BigIntField(primary_key=True)
    queue: fields.ForeignKeyRelation[Queue] = fields.ForeignKeyField(
        "models.Queue", related_name="tiers", on_delete=fields.CASCADE
    )
    agent: fields.ForeignKeyRelation[Agent] = fields.ForeignKeyField(
        "models.Agent", related_name="tiers", on_delete=fields.CASCADE
    )
    level = fields.IntField()
    position = fields.IntField()
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "cc_tiers"
        unique_together = (("queue", "agent"),)
