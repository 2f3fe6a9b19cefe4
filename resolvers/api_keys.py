"""API keys: created from the command line, checked on every request and WebSocket."""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import ApiKeyRole
from db.models import ApiKey, Workspace
from resolvers.principal import Principal

KEY_PREFIX = "crm_"


def hash_key(secret: str) -> str:
    # Keys are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


async def create(
    session: AsyncSession, *, workspace_name: str, role: ApiKeyRole, name: str | None = None
) -> tuple[str, ApiKey]:
    """A new key for `workspace_name` (created if new); the secret is returned only here."""
    workspace = await session.scalar(select(Workspace).where(Workspace.name == workspace_name))
    if workspace is None:
        workspace = Workspace(name=workspace_name)
        session.add(workspace)
        await session.flush()
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        workspace_id=workspace.id,
        name=name,
        prefix=secret[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(secret),
        role=role,
    )
    session.add(api_key)
    await session.flush()
    return secret, api_key


async def authenticate(session: AsyncSession, secret: str) -> Principal | None:
    row = await session.scalar(
        select(ApiKey).where(ApiKey.key_hash == hash_key(secret), ApiKey.revoked_at.is_(None))
    )
    if row is None:
        return None
    return Principal(workspace_id=row.workspace_id, role=row.role, api_key_id=row.id)
