"""States, ZIPs and zones."""

from __future__ import annotations

import zipcodes

from dialer.graphql.geography import _zip_table, state_code, state_zone, valid_zone, zip_info


def test_the_shipped_zip_table_is_zipcodes_data():
    expected = {z["zip_code"]: (z["state"], z["timezone"] or None) for z in zipcodes.list_all()}
    assert _zip_table() == expected  # else: .venv/bin/python scripts/make_zip_table.py


def test_lookups():
    assert zip_info("33101") == ("FL", "America/New_York") and zip_info("3310") is None and zip_info("abcde") is None
    assert state_code("california") == "CA" and state_code("ny") == "NY" and state_code("Narnia") is None
    assert state_zone("CA") == "America/Los_Angeles" and state_zone("FL") is None  # FL spans two zones
    assert valid_zone("America/Denver") and not valid_zone("Mars/Base")
