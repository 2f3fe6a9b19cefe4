"""Bearer authentication: an API key in `Authorization: Bearer <key>`."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from resolvers import api_keys
from resolvers.principal import Principal


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def authenticate(
    sessions: async_sessionmaker[AsyncSession], authorization: str | None
) -> Principal | None:
    token = bearer_token(authorization)
    if token is None:
        return None
    async with sessions() as session:
        return await api_keys.authenticate(session, token)
