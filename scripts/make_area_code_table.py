"""Regenerate dialer/graphql/data/area_code_states.tsv from phonenumbers' geocoding data:
`.venv/bin/python scripts/make_area_code_table.py`. Loading that data costs a process about 100 MB;
the dialer needs one state per NANP area code, so it reads this derived table instead.
tests/test_geography.py checks that the table still matches phonenumbers."""

from pathlib import Path

import phonenumbers
from phonenumbers import geocoder

from dialer.graphql.geography import state_code

TABLE = Path(__file__).resolve().parent.parent / "dialer" / "graphql" / "data" / "area_code_states.tsv"


def state_of(description: str) -> str | None:
    """ "Connecticut" or "Ansonia, CT" -> "CT"."""
    return state_code(description.rsplit(", ", 1)[-1]) if description else None


def rows() -> list[str]:
    """Every area code whose numbers geocode to one US state or territory (some exchanges name a
    city, "Ansonia, CT", some the state, some nothing: a spread of exchanges is read)."""
    found = []
    for npa in range(200, 1000):
        states = set()
        for exchange in range(200, 1000, 7):
            number = phonenumbers.parse(f"+1{npa}{exchange}0100")
            states.add(state_of(geocoder.description_for_number(number, "en")))
        states.discard(None)
        if len(states) == 1:
            found.append(f"{npa}\t{states.pop()}")
    return found


if __name__ == "__main__":
    table = rows()
    TABLE.write_text("\n".join(table) + "\n")
    print(f"{TABLE}: {len(table)} area codes")
