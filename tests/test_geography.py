"""States, ZIPs and zones."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import zipcodes

from dialer.graphql.geography import (
    AREA_CODE_TABLE,
    _zip_table,
    area_code_state,
    state_code,
    state_zone,
    valid_zone,
    zip_info,
)


def test_the_shipped_zip_table_is_zipcodes_data():
    expected = {z["zip_code"]: (z["state"], z["timezone"] or None) for z in zipcodes.list_all()}
    assert _zip_table() == expected  # else: .venv/bin/python scripts/make_zip_table.py


def test_the_shipped_area_code_table_is_phonenumbers_data(tmp_path):
    # In a child process: phonenumbers' geocoding data would stay in this one (about 100 MB).
    script = Path(__file__).resolve().parent.parent / "scripts" / "make_area_code_table.py"
    code = f"import runpy; print('\\n'.join(runpy.run_path({str(script)!r})['rows']()))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.split() == AREA_CODE_TABLE.read_text().split()  # else: run that script
    assert [area_code_state(p) for p in ("+13055550100", "+12035550100", "+18005550100", "+442079460000")] == [
        "FL",
        "CT",
        None,
        None,
    ]


def test_lookups():
    assert zip_info("33101") == ("FL", "America/New_York") and zip_info("3310") is None and zip_info("abcde") is None
    assert state_code("california") == "CA" and state_code("ny") == "NY" and state_code("Narnia") is None
    assert state_zone("CA") == "America/Los_Angeles" and state_zone("FL") is None  # FL spans two zones
    assert valid_zone("America/Denver") and not valid_zone("Mars/Base")
