"""Engine and session factory for PostgreSQL (asyncpg) and SQLite (aiosqlite)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def asyncpg_dsn(url: str) -> str:
    """The plain asyncpg DSN of a `postgresql+asyncpg://` URL (for the LISTEN connection)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def make_engine(url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    if is_sqlite(url):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 30})
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        return engine
    # No pool_pre_ping: it cost three round trips (BEGIN, a ping, ROLLBACK) per checkout,
    # half of a one-statement read. A connection that died in the pool instead fails its
    # first statement; SQLAlchemy then invalidates the whole pool, and reads (ReadSession)
    # and units of work (resolvers.uow.run_unit_of_work) retry once on a fresh connection.
    # /readyz reports a database that stays unreachable.
    return create_async_engine(url, echo=echo, pool_size=pool_size, max_overflow=pool_size * 2)


def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; WAL lets readers run beside one writer.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: results are read after the unit of work has committed.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


def is_dead_connection(error: BaseException) -> bool:
    """A statement failed because its pooled connection was gone (SQLAlchemy has
    invalidated it and the rest of the pool): nothing ran, so running it again is safe."""
    return isinstance(error, DBAPIError) and error.connection_invalidated


class ReadSession(AsyncSession):
    """A session for plain reads: each statement in autocommit (on PostgreSQL), so no
    BEGIN/ROLLBACK round trips, and run again once if its connection turns out dead.

    Each read is one statement, atomic on its own; the DataLoaders of a request already read
    through separate sessions, so a transaction around one read bought no consistency.
    Never write through it: nothing it flushed would be undone.
    """

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return await super().execute(*args, **kwargs)
        except DBAPIError as error:
            if not is_dead_connection(error):
                raise
            await self.rollback()  # lets the session take a fresh connection
            return await super().execute(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return (await self.execute(*args, **kwargs)).scalar()


def make_read_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions for reads, on the same pool as the writers' (see ReadSession).

    Autocommit on PostgreSQL only: there it saves two round trips per read, and asyncpg
    switches it as a flag. SQLite has no round trips to save, and aiosqlite would switch
    it with a call on its thread at every checkout and checkin.
    """
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(isolation_level="AUTOCOMMIT")
    return async_sessionmaker(engine, class_=ReadSession, expire_on_commit=False, autoflush=False)
