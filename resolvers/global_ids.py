"""Opaque global ids: `base64url("v1:<Type>:<pk>")`.

Clients must treat them as opaque; the version prefix lets the format change later while
old ids keep resolving.
"""

from __future__ import annotations

import base64
import binascii

PREFIX = "v1"
# Keys are 64-bit on PostgreSQL and SQLite alike.
MAX_KEY = 2**63 - 1


def encode(type_name: str, pk: int) -> str:
    raw = f"{PREFIX}:{type_name}:{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(global_id: str) -> tuple[str, int] | None:
    """The (type name, primary key) behind an id, or None when it is not one of ours."""
    if len(global_id) > 200:  # noqa: PLR2004  (no id of ours is anywhere near this long)
        return None
    try:
        padded = global_id + "=" * (-len(global_id) % 4)
        prefix, type_name, pk = base64.urlsafe_b64decode(padded).decode().split(":")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    # Only the canonical spelling of a key in range: one record, one id.
    if prefix != PREFIX or not type_name or not (pk.isascii() and pk.isdigit()):
        return None
    number = int(pk)
    if str(number) != pk or not 0 < number <= MAX_KEY:
        return None
    return type_name, number


def decode_as(global_id: str, type_name: str) -> int | None:
    decoded = decode(global_id)
    if decoded is None or decoded[0] != type_name:
        return None
    return decoded[1]
