"""Phone numbers to E.164, with the time zone of their exchange.

phonenumbers parses about 35,000 numbers a second, too slow for million-row imports. For North
American numbers, validity and time zone depend on the first six national digits (NPA-NXX): the
longest NANP prefix in phonenumbers' validity patterns and time-zone table is six digits. So each
prefix is parsed once and its answer cached; any other number goes through phonenumbers whole.
tests/test_phones.py compares the two paths on random numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import timezone as phone_timezone

_SEPARATORS = str.maketrans("", "", " -.()/\t")
NANP_PREFIX = 6
CACHE_LIMIT = 250_000


@dataclass(frozen=True)
class Phone:
    e164: str
    # One IANA zone when the exchange lies in one; None when it spans several or is unknown.
    timezone: str | None


def _zone_of(number: phonenumbers.PhoneNumber) -> str | None:
    zones = phone_timezone.time_zones_for_number(number)
    return zones[0] if len(zones) == 1 and zones[0] != "Etc/Unknown" else None


class PhoneParser:
    def __init__(self, default_region: str = "US") -> None:
        self.default_region = default_region
        self._nanp: dict[str, str | bool | None] = {}

    def parse(self, raw: str) -> Phone | None:
        """The number in E.164, or None if it is not a valid (not merely well-shaped) number."""
        text = raw.strip().translate(_SEPARATORS)
        national = None
        if text.startswith("+1") and len(text) == 12 and text[1:].isdigit():
            national = text[2:]
        elif text.isdigit() and self.default_region in ("US", "CA"):
            if len(text) == 10:
                national = text
            elif len(text) == 11 and text[0] == "1":
                national = text[1:]
        if national is not None and national.isascii():
            return self._north_american(national)
        return self._anywhere(raw)

    def _north_american(self, national: str) -> Phone | None:
        key = national[:NANP_PREFIX]
        known = self._nanp.get(key, None)
        if known is None and key not in self._nanp:
            parsed = self._anywhere("+1" + national)
            known = False if parsed is None else parsed.timezone
            if len(self._nanp) >= CACHE_LIMIT:  # bounded whatever the input
                self._nanp.clear()
            self._nanp[key] = known
        if known is False:
            return None
        return Phone("+1" + national, known)  # type: ignore[arg-type]

    def _anywhere(self, raw: str) -> Phone | None:
        try:
            number = phonenumbers.parse(raw, self.default_region)
        except phonenumbers.NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        return Phone(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), _zone_of(number))
