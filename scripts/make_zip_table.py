"""Regenerate dialer/graphql/data/zip_zones.tsv.gz from the zipcodes package:
`.venv/bin/python scripts/make_zip_table.py`. zipcodes parses all of its records' fields to answer
(about 140 MB held by the process); the dialer needs two, so it reads this derived table instead.
tests/test_geography.py checks that the table still matches zipcodes."""

import gzip
from pathlib import Path

import zipcodes

TABLE = Path(__file__).resolve().parent.parent / "dialer" / "graphql" / "data" / "zip_zones.tsv.gz"


def rows() -> list[str]:
    return sorted(f"{z['zip_code']}\t{z['state']}\t{z['timezone'] or ''}" for z in zipcodes.list_all())


if __name__ == "__main__":
    TABLE.write_bytes(gzip.compress(("\n".join(rows()) + "\n").encode(), mtime=0))
    print(f"{TABLE}: {len(rows())} ZIPs")
