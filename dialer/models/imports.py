"""CSV imports of leads, run as jobs: progress, counters, and each rejected row with its reason."""

from tortoise import fields
from tortoise.models import Model


class ImportJob(Model):
    id = fields.BigIntField(primary_key=True)
    list_id = fields.BigIntField()
    filename = fields.CharField(max_length=255)
    # Where the upload is kept until the job ends, so a crashed import can resume.
    path = fields.CharField(max_length=1024)
    status = fields.CharField(max_length=16, db_index=True)
    bytes_total = fields.BigIntField(default=0)
    bytes_done = fields.BigIntField(default=0)
    rows_done = fields.BigIntField(default=0)
    accepted = fields.BigIntField(default=0)
    rejected = fields.BigIntField(default=0)
    duplicates = fields.BigIntField(default=0)
    dnc_hits = fields.BigIntField(default=0)
    rejected_by_reason: dict = fields.JSONField(default=dict)
    error = fields.TextField(null=True)
    created_by = fields.CharField(max_length=200)
    created_at = fields.DatetimeField(auto_now_add=True)
    started_at = fields.DatetimeField(null=True)
    finished_at = fields.DatetimeField(null=True)
    # A running job's worker refreshes this; a stale one is taken over (crash recovery).
    heartbeat_at = fields.DatetimeField(null=True)

    class Meta:
        table = "import_jobs"

    @property
    def public_id(self) -> str:
        return f"imp_{self.id}"


class ImportReject(Model):
    id = fields.BigIntField(primary_key=True)
    job_id = fields.BigIntField()
    row_number = fields.BigIntField()
    reason = fields.CharField(max_length=32)
    # The rejected row as it was read, re-encoded as one CSV line.
    line = fields.TextField()

    class Meta:
        table = "import_rejects"
        unique_together = (("job_id", "row_number"),)
