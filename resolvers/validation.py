"""Field cleaners: each turns one input value into a column value or says what is wrong.

A domain module declares its input as a mapping of input names to cleaners (see
`resolvers/accounts.py`); `records.clean_input` runs them and reports every problem at
once, each with the input field it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pycountry
from email_validator import EmailNotValidError, validate_email
from pydantic import AnyHttpUrl, TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import Base
from resolvers import global_ids
from resolvers.errors import ErrorCode

# The largest NUMERIC(18, 2) value.
MAX_MONEY = Decimal("9999999999999999.99")


# The range of instants the CRM stores; beyond it, dates are typing mistakes.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
LATEST = datetime(3000, 1, 1, tzinfo=UTC)


def text_problem(text: str) -> str | None:
    """What makes a string unstorable: NUL (PostgreSQL refuses it) or unpaired surrogates
    (not Unicode text at all)."""
    if "\x00" in text:
        return "must not contain NUL characters"
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):  # noqa: PLR2004
        return "must be valid Unicode text"
    return None


def to_utc(moment: Any) -> datetime:
    """An aware datetime in UTC, or InvalidValueError (naive, or outside 1900 to 2999)."""
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise InvalidValueError("must include a UTC offset, e.g. 2026-03-01T09:30:00Z")
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError as error:
        raise InvalidValueError("is outside the supported range (1900 to 2999)") from error
    if not EARLIEST <= in_utc < LATEST:
        raise InvalidValueError("is outside the supported range (1900 to 2999)")
    return in_utc


def number_problem(value: Decimal) -> str | None:
    """What makes a number unusable against a money column: not finite, or out of range."""
    if not value.is_finite():
        return "must be a finite number"
    if abs(value) > MAX_MONEY:
        return f"must be at most {MAX_MONEY} in size"
    return None


def operand_problem(value: Any, *, int_bound: int = 2**31) -> str | None:
    """Why a value cannot be compared with or stored in a column: a number that is not
    finite or out of range, or text with NUL or unpaired surrogates."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return number_problem(value)
    if isinstance(value, int):
        return None if -int_bound <= value < int_bound else "is out of range"
    if isinstance(value, str):
        return text_problem(value)
    return None


class InvalidValueError(Exception):
    def __init__(self, message: str, code: ErrorCode = ErrorCode.INVALID) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a cleaner may consult: the open session and the caller's workspace."""

    session: AsyncSession
    workspace_id: int


class Cleaner:
    required: bool = False
    # False for columns that always hold a value, though an input may leave them out (defaults).
    nullable: bool = True

    async def clean(self, value: Any, lookup: Lookup) -> Any:
        return value

    def columns(self, name: str, value: Any) -> dict[str, Any]:
        """The columns this input sets; most inputs set the column of the same name."""
        return {name: value}


@dataclass(frozen=True)
class Text(Cleaner):
    max_length: int = 255
    required: bool = False

    async def clean(self, value: Any, lookup: Lookup) -> str | None:
        text = value.strip()
        if not text:
            if self.required:
                raise InvalidValueError("must not be blank", ErrorCode.REQUIRED)
            return None
        if len(text) > self.max_length:
            raise InvalidValueError(f"must be at most {self.max_length} characters")
        problem = text_problem(text)
        if problem:
            raise InvalidValueError(problem)
        return str(text)


@dataclass(frozen=True)
class Email(Cleaner):
    required: bool = False
    lower: bool = False

    async def clean(self, value: Any, lookup: Lookup) -> str | None:
        text = value.strip()
        if not text:
            if self.required:
                raise InvalidValueError("must not be blank", ErrorCode.REQUIRED)
            return None
        try:
            normalized = validate_email(text, check_deliverability=False).normalized
        except EmailNotValidError as error:
            raise InvalidValueError(f"is not a valid email address: {error}") from error
        return normalized.lower() if self.lower else normalized


_URL = TypeAdapter(AnyHttpUrl)


@dataclass(frozen=True)
class Url(Cleaner):
    async def clean(self, value: Any, lookup: Lookup) -> str | None:
        text = value.strip()
        if not text:
            return None
        # People type "acme.com"; a website without a scheme is meant as https.
        candidate = text if "://" in text else f"https://{text}"
        try:
            parsed = _URL.validate_python(candidate)
        except ValidationError as error:
            raise InvalidValueError("is not a valid http or https URL") from error
        if not parsed.host or ("." not in parsed.host and parsed.host != "localhost"):
            raise InvalidValueError("is not a valid http or https URL")
        if len(candidate) > 2048:  # noqa: PLR2004
            raise InvalidValueError("must be at most 2048 characters")
        if any(ord(char) < 0x20 or char.isspace() for char in candidate) or text_problem(text):  # noqa: PLR2004
            raise InvalidValueError("is not a valid http or https URL")
        return candidate


_PHONE = re.compile(r"^\+?[0-9 ().\-/]+(?:\s*(?:x|ext\.?)\s*[0-9]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class Phone(Cleaner):
    async def clean(self, value: Any, lookup: Lookup) -> str | None:
        text = " ".join(value.split())
        if not text:
            return None
        digits = sum(char.isdigit() for char in text)
        if not _PHONE.match(text) or not 3 <= digits <= 20 or len(text) > 40:  # noqa: PLR2004
            raise InvalidValueError(
                "is not a valid phone number (digits, spaces, + - . ( ) and an optional extension)"
            )
        return text


@dataclass(frozen=True)
class Integer(Cleaner):
    minimum: int = 0
    maximum: int = 2**31 - 1

    async def clean(self, value: Any, lookup: Lookup) -> int:
        if not self.minimum <= value <= self.maximum:
            raise InvalidValueError(f"must be between {self.minimum} and {self.maximum}")
        return int(value)


@dataclass(frozen=True)
class Amount(Cleaner):
    """Money or another exact quantity: a Decimal, non-negative, with at most `places` decimals."""

    required: bool = False
    places: int = 2
    maximum: Decimal = MAX_MONEY
    positive: bool = False

    async def clean(self, value: Any, lookup: Lookup) -> Decimal:
        amount = Decimal(value)
        if not amount.is_finite():
            raise InvalidValueError("must be a finite number")
        if amount < 0 or (self.positive and amount == 0):
            raise InvalidValueError(
                "must be greater than 0" if self.positive else "must not be negative"
            )
        if amount > self.maximum:
            raise InvalidValueError(f"must be at most {self.maximum}")
        quantum = Decimal(1).scaleb(-self.places)
        # Compared exactly (the maximum bounds the digits): no rounding hides extra places.
        if amount != amount.quantize(quantum):
            raise InvalidValueError(f"must have at most {self.places} decimal places")
        # Stored and returned at a fixed scale: 1234.5 reads back as 1234.50 everywhere,
        # and -0 as 0.00.
        return abs(amount.quantize(quantum)) if amount == 0 else amount.quantize(quantum)


@dataclass(frozen=True)
class Currency(Cleaner):
    nullable: bool = False

    async def clean(self, value: Any, lookup: Lookup) -> str:
        code = value.strip().upper()
        if len(code) != 3 or pycountry.currencies.get(alpha_3=code) is None:  # noqa: PLR2004
            raise InvalidValueError(f"{value!r} is not an ISO 4217 currency code")
        return str(code)


@dataclass(frozen=True)
class Country(Cleaner):
    async def clean(self, value: Any, lookup: Lookup) -> str | None:
        code = value.strip().upper()
        if not code:
            return None
        if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:  # noqa: PLR2004
            raise InvalidValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return str(code)


@dataclass(frozen=True)
class Timestamp(Cleaner):
    async def clean(self, value: Any, lookup: Lookup) -> datetime:
        # The same instant reads back in UTC everywhere, the write's payload included.
        return to_utc(value)


@dataclass(frozen=True)
class Day(Cleaner):
    async def clean(self, value: Any, lookup: Lookup) -> date:
        return value  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Choice(Cleaner):
    """An enum or boolean that GraphQL has already checked; only `required` matters."""

    required: bool = False
    nullable: bool = True


@dataclass(frozen=True)
class Reference(Cleaner):
    """A global id of a live record of `model` in the caller's workspace, stored as its key."""

    model: type[Base]
    required: bool = False

    async def clean(self, value: Any, lookup: Lookup) -> int:
        type_name = self.model.__name__
        pk = global_ids.decode_as(value, type_name)
        if pk is None:
            raise InvalidValueError(f"is not the id of a {type_name}", ErrorCode.NOT_FOUND)
        model: Any = self.model
        found = await lookup.session.scalar(
            select(model.id).where(
                model.id == pk,
                model.workspace_id == lookup.workspace_id,
                model.archived_at.is_(None),
            )
        )
        if found is None:
            raise InvalidValueError(f"no {type_name} with this id", ErrorCode.NOT_FOUND)
        return pk


@dataclass(frozen=True)
class Address(Cleaner):
    """A postal address, stored flat as `<prefix>_street`, `<prefix>_city`, ... columns."""

    prefix: str = "billing"
    parts = (("street", 255), ("city", 100), ("state", 100), ("postal_code", 20))

    async def clean(self, value: Any, lookup: Lookup) -> dict[str, str | None]:
        if value is None:
            return dict.fromkeys([*(part for part, _ in self.parts), "country"])
        cleaned: dict[str, str | None] = {}
        for part, max_length in self.parts:
            given = value.get(part)
            cleaned[part] = None if given is None else await Text(max_length).clean(given, lookup)
        country = value.get("country")
        cleaned["country"] = None if country is None else await Country().clean(country, lookup)
        return cleaned

    def columns(self, name: str, value: Any) -> dict[str, Any]:
        return {f"{self.prefix}_{part}": part_value for part, part_value in value.items()}
