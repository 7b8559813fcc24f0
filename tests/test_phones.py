"""The NANP prefix cache answers exactly as phonenumbers does, number by number."""

from __future__ import annotations

import random

import phonenumbers

from dialer.graphql.phones import PhoneParser, _zone_of


def direct(raw: str) -> tuple[str, str | None] | None:
    try:
        number = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), _zone_of(number)


def test_cached_and_direct_agree_on_random_numbers():
    rng = random.Random(20261127)
    parser = PhoneParser()
    # Few prefixes, many numbers each: the cache answers most of them.
    prefixes = [f"{rng.randint(200, 999)}{rng.randint(0, 999):03d}" for _ in range(400)]
    for _ in range(20_000):
        raw = rng.choice(prefixes) + f"{rng.randint(0, 9999):04d}"
        found = parser.parse(raw)
        assert (None if found is None else (found.e164, found.timezone)) == direct(raw), raw


def test_formats():
    parser = PhoneParser()
    assert parser.parse("(212) 555-0100").e164 == "+12125550100"
    assert parser.parse("1-212-555-0100").e164 == "+12125550100"
    assert parser.parse("+52 55 1234 5678").e164 == "+525512345678"
    assert parser.parse("555-0100") is None and parser.parse("") is None and parser.parse("+1 200 555 0100") is None
    assert PhoneParser("MX").parse("55 1234 5678").e164 == "+525512345678"
