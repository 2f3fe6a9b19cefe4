"""What the table builders share: the random generator, the workspace, the rows so far.

Each builder (one per table, in `catalogue.py`, `pipeline.py` and `engagement.py`) reads
what it needs from the rows of the tables built before it, which have their ids by then,
and returns its own rows without ids.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from db.enums import OpportunityStage, UserRole
from resolvers.seed import vocabulary as words

Row = dict[str, Any]

# The seeded history: two years up to the seed's present.
HISTORY = timedelta(days=730)


@dataclass
class Seeding:
    """What the builders share: the generator, the workspace, and the rows built so far."""

    rng: random.Random
    workspace_id: int
    currency: str
    as_of: datetime
    accounts: int
    rows: dict[str, list[Row]] = field(default_factory=dict)
    # Per account (by position): its deals' (stage, created at), drawn with the account.
    deals: list[list[tuple[OpportunityStage, datetime]]] = field(default_factory=list)
    # Per opportunity (by position): its line items, drawn with the opportunity.
    line_items: list[list[Row]] = field(default_factory=list)
    _children: dict[tuple[str, str], dict[int, list[Row]]] = field(default_factory=dict)

    def row(self, created_at: datetime, **values: Any) -> Row:
        return {
            "workspace_id": self.workspace_id,
            "created_at": created_at,
            "updated_at": created_at,
            **values,
        }

    def moment(self, start: datetime, end: datetime | None = None) -> datetime:
        """A time between `start` and `end` (the seed's present by default), to the second."""
        end = min(end or self.as_of, self.as_of)
        span = max(int((end - start).total_seconds()), 0)
        return start + timedelta(seconds=self.rng.randint(0, span))

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def since_start(self) -> datetime:
        return self.moment(self.as_of - HISTORY)

    def children(self, table: str, parent_key: str) -> dict[int, list[Row]]:
        """The rows of `table` by the id in their `parent_key` (contacts by account id)."""
        index = self._children.get((table, parent_key))
        if index is None:
            index = {}
            for row in self.rows[table]:
                index.setdefault(row[parent_key], []).append(row)
            self._children[(table, parent_key)] = index
        return index

    def owners(self, *roles: UserRole) -> list[int]:
        users = self.rows["crm_user"]
        return [user["id"] for user in users if user["role"] in roles] or [users[0]["id"]]


def phone(s: Seeding, prefix: str) -> str:
    digits = "".join(str(s.rng.randint(0, 9)) for _ in range(7))
    return f"{prefix} {s.rng.randint(200, 989)} 555 {digits[:4]}"


def slug(text: str) -> str:
    """`Chloé O'Brien` -> `chloeobrien`: what an email address or a domain can hold."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


def email(first: str, last: str, domain: str, taken: set[str]) -> str:
    local = f"{slug(first)}.{slug(last)}"
    email, number = f"{local}@{domain}", 1
    while email in taken:
        number += 1
        email = f"{local}{number}@{domain}"
    taken.add(email)
    return email


NAME_RETRIES = 20


def company(s: Seeding, taken: set[str]) -> tuple[str, str]:
    """A company name not used yet in this workspace, and its web domain."""
    for attempt in range(1_000_000):
        stem = s.rng.choice(words.COMPANY_HEADS) + s.rng.choice(words.COMPANY_TAILS)
        suffix = s.rng.choice(words.COMPANY_SUFFIXES)
        # Past some 100,000 names the combinations run out: number them.
        name = f"{stem} {suffix}" if attempt < NAME_RETRIES else f"{stem} {suffix} {attempt}"
        if name not in taken:
            taken.add(name)
            return name, f"{slug(stem)}{slug(suffix)}.com"
    raise RuntimeError("no company name left")  # pragma: no cover
