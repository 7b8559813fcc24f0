"""Reports: the raw CDR export and the campaign, provider and agent aggregates (docs/reports.md)."""
