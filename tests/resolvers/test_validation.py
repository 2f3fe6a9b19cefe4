"""Field cleaners and helpers, without GraphQL."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from resolvers import global_ids
from resolvers.errors import ErrorCode
from resolvers.opportunities import line_total
from resolvers.validation import (
    Amount,
    Country,
    Currency,
    Email,
    InvalidValueError,
    Phone,
    Text,
    Timestamp,
    Url,
)

LOOKUP = None  # these cleaners never consult the database


async def clean(cleaner, value):
    return await cleaner.clean(value, LOOKUP)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("acme.com", "https://acme.com"),
        ("http://acme.com/about?x=1", "http://acme.com/about?x=1"),
        ("  https://sub.acme.co.uk  ", "https://sub.acme.co.uk"),
        ("", None),
    ],
)
async def test_urls_are_normalised(value, expected):
    assert await clean(Url(), value) == expected


@pytest.mark.parametrize(
    "value", ["not a url", "ftp://acme.com", "https://", "javascript:alert(1)", "https://nodot"]
)
async def test_bad_urls_are_refused(value):
    with pytest.raises(InvalidValueError):
        await clean(Url(), value)


async def test_emails_are_validated_and_normalised():
    assert await clean(Email(), "Ada@Example.COM") == "Ada@example.com"
    assert await clean(Email(lower=True), "Ada@Example.COM") == "ada@example.com"
    for bad in ("ada", "ada@", "@example.com", "ada@@example.com"):
        with pytest.raises(InvalidValueError):
            await clean(Email(), bad)
    with pytest.raises(InvalidValueError) as blank:
        await clean(Email(required=True), "  ")
    assert blank.value.code is ErrorCode.REQUIRED


@pytest.mark.parametrize("value", ["+1 (555) 010-0100", "030 1234567 ext. 12", "555.0100"])
async def test_phones_accepted(value):
    assert await clean(Phone(), value) == value


@pytest.mark.parametrize("value", ["call me", "12", "+1 555 0100 <script>", "1" * 41])
async def test_phones_refused(value):
    with pytest.raises(InvalidValueError):
        await clean(Phone(), value)


async def test_amounts_are_exact_decimals():
    assert await clean(Amount(), Decimal("10.50")) == Decimal("10.50")
    assert await clean(Amount(), Decimal("1E+3")) == Decimal(1000)
    for bad in (Decimal(-1), Decimal("0.001"), Decimal("NaN"), Decimal("1e17")):
        with pytest.raises(InvalidValueError):
            await clean(Amount(), bad)
    with pytest.raises(InvalidValueError):
        await clean(Amount(positive=True), Decimal(0))


async def test_codes():
    assert await clean(Currency(), "eur") == "EUR"
    assert await clean(Country(), "de") == "DE"
    for cleaner, bad in ((Currency(), "EURO"), (Currency(), "XYZ"), (Country(), "XX")):
        with pytest.raises(InvalidValueError):
            await clean(cleaner, bad)


async def test_text_limits_and_blank_handling():
    assert await clean(Text(5), "  abc ") == "abc"
    assert await clean(Text(5), "   ") is None
    with pytest.raises(InvalidValueError):
        await clean(Text(5), "abcdef")


async def test_timestamps_need_an_offset():
    aware = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
    assert await clean(Timestamp(), aware) == aware
    with pytest.raises(InvalidValueError):
        await clean(Timestamp(), datetime(2026, 3, 1, 9, 30))  # noqa: DTZ001


def test_global_ids_round_trip_and_reject_garbage():
    encoded = global_ids.encode("Account", 42)
    assert global_ids.decode(encoded) == ("Account", 42)
    assert global_ids.decode_as(encoded, "Account") == 42
    assert global_ids.decode_as(encoded, "Contact") is None
    for garbage in ("", "%%%", "djE6", global_ids.encode("Account", 0).replace("MA", "LTE")):
        assert global_ids.decode(garbage) is None


@pytest.mark.parametrize(
    ("quantity", "price", "discount", "total"),
    [
        ("3", "19.99", "0", "59.97"),
        ("2", "10.00", "15", "17.00"),
        ("1", "0.05", "50", "0.03"),  # half up
        ("1.5", "33.33", "10", "45.00"),
    ],
)
def test_line_total(quantity, price, discount, total):
    assert line_total(Decimal(quantity), Decimal(price), Decimal(discount)) == Decimal(total)
