"""Call detail records as mod_json_cdr posts them, normalised; and the posts that could not be read.

One row per call leg, unique on the leg's uuid (mod_json_cdr retries on any non-2xx, so the same CDR
may arrive more than once). `document` keeps the whole decoded document: nothing FreeSWITCH sent is lost
even where no column holds it."""

from tortoise import fields
from tortoise.indexes import Index
from tortoise.models import Model


class Cdr(Model):
    id = fields.BigIntField(primary_key=True)
    uuid = fields.CharField(max_length=64, unique=True)
    call_id = fields.CharField(max_length=255, null=True)
    direction = fields.CharField(max_length=16, null=True)
    node = fields.CharField(max_length=255, null=True)
    campaign_id = fields.CharField(max_length=32, null=True)
    list_id = fields.CharField(max_length=32, null=True)
    lead_id = fields.CharField(max_length=32, null=True)
    trunk_id = fields.CharField(max_length=64, null=True)
    queue = fields.CharField(max_length=64, null=True)
    agent_id = fields.CharField(max_length=64, null=True)
    start_at = fields.DatetimeField(null=True)
    answer_at = fields.DatetimeField(null=True)
    end_at = fields.DatetimeField()
    duration_s = fields.IntField()
    billsec_s = fields.IntField()
    progress_ms = fields.IntField(null=True)
    early_media_ms = fields.IntField(null=True)
    queue_wait_ms = fields.IntField(null=True)
    hangup_cause = fields.CharField(max_length=64, null=True)
    q850 = fields.IntField(null=True)
    sip_status = fields.IntField(null=True)
    caller_id_name = fields.CharField(max_length=255, null=True)
    caller_id_number = fields.CharField(max_length=64, null=True)
    destination_number = fields.CharField(max_length=64, null=True)
    recording_url = fields.CharField(max_length=1024, null=True)
    amd_label = fields.CharField(max_length=16, null=True)
    amd_confidence = fields.FloatField(null=True)
    amd_latency_ms = fields.IntField(null=True)
    # dialer.engine.outcomes.CallOutcome, and the disposition it recorded on the lead (if any).
    outcome = fields.CharField(max_length=16)
    disposition = fields.CharField(max_length=16, null=True)
    network_addr = fields.CharField(max_length=64, null=True)
    read_codec = fields.CharField(max_length=32, null=True)
    write_codec = fields.CharField(max_length=32, null=True)
    document = fields.TextField()
    received_at = fields.DatetimeField()
    # A machine verdict sent to an agent anyway: the agent's disposition says whether AMD was right.
    # Last, where its migration added it.
    amd_audit = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "cdrs"
        indexes = (
            Index(fields=("end_at",), name="idx_cdrs_end"),
            Index(fields=("trunk_id", "end_at"), name="idx_cdrs_trunk_end"),
            Index(fields=("campaign_id", "end_at"), name="idx_cdrs_campaign_end"),
            Index(fields=("agent_id", "end_at"), name="idx_cdrs_agent_end"),
            # Covers the report aggregates (dialer.graphql.reports): a day's figures are an index-only
            # scan; and gives the CDR report its (end_at, id) order without a sort.
            Index(
                fields=(
                    "end_at",
                    "id",
                    "campaign_id",
                    "trunk_id",
                    "agent_id",
                    "outcome",
                    "answer_at",
                    "billsec_s",
                    "progress_ms",
                    "sip_status",
                ),
                name="idx_cdrs_report",
            ),
        )


class CdrDeadLetter(Model):
    """A CDR post refused as malformed: kept whole, with the reason, for an admin to see."""

    id = fields.BigIntField(primary_key=True)
    received_at = fields.DatetimeField()
    client_ip = fields.CharField(max_length=64, null=True)
    content_type = fields.CharField(max_length=255, null=True)
    query_uuid = fields.CharField(max_length=64, null=True)
    reason = fields.CharField(max_length=500)
    body = fields.TextField()

    class Meta:
        table = "cdr_dead_letters"
