"""Error codes, defined once: schema/errors.py exposes them as the `ErrorCode` enum."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class ErrorCode(StrEnum):
    INVALID = "INVALID"
    REQUIRED = "REQUIRED"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    ARCHIVED = "ARCHIVED"
    INVALID_TRANSITION = "INVALID_TRANSITION"
    READ_ONLY = "READ_ONLY"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with the input; `field` is the path of input names, e.g. ("line_items", "0")."""

    code: ErrorCode
    message: str
    field: tuple[str, ...] | None = None


class UserInputError(Exception):
    """Expected failures of a mutation: they become payload `userErrors`, and nothing is written."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(error.message for error in errors))
        self.errors = list(errors)

    @classmethod
    def single(
        cls, code: ErrorCode, message: str, field: tuple[str, ...] | None = None
    ) -> UserInputError:
        return cls([FieldError(code, message, field)])


class TopLevelError(Exception):
    """A failure reported as a top-level GraphQL error with `extensions.code`, never masked."""

    code = "BAD_REQUEST"


class ForbiddenError(TopLevelError):
    """The caller's key may not do this."""

    code = "FORBIDDEN"


class BadRequestError(TopLevelError):
    """A query argument outside what the API accepts (page size, cursor)."""

    code = "BAD_USER_INPUT"
