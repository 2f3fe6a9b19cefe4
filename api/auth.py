"""Bearer authentication: an API key in `Authorization: Bearer <key>`."""

from __future__ import annotations

from cachetools import TTLCache
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


class Authenticator:
    """Looks keys up, remembering valid ones for `ttl_seconds` (0: ask every time).

    A key is checked once per interval rather than on every request: a revoked key stops
    working within that interval. Unknown keys are never remembered, so a new key works
    at once.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], ttl_seconds: float) -> None:
        self._sessions = sessions
        self._known: TTLCache[str, Principal] | None = (
            TTLCache(maxsize=10_000, ttl=ttl_seconds) if ttl_seconds > 0 else None
        )

    async def __call__(self, authorization: str | None) -> Principal | None:
        token = bearer_token(authorization)
        if token is None:
            return None
        digest = api_keys.hash_key(token)
        if self._known is not None and (known := self._known.get(digest)) is not None:
            return known
        async with self._sessions() as session:
            principal = await api_keys.authenticate(session, token)
        if principal is not None and self._known is not None:
            self._known[digest] = principal
        return principal
