from __future__ import annotations

from dataclasses import dataclass

from db.enums import ApiKeyRole


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: every read and write is scoped to `workspace_id`."""

    workspace_id: int
    role: ApiKeyRole
    api_key_id: int | None = None
