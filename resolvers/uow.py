"""The unit of work: one transaction per mutation, committed once, or nothing at all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from resolvers.errors import ErrorCode, UserInputError


@asynccontextmanager
async def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """Commit when the block finishes; roll back on any error, so bad input changes nothing.

    Races the checks could not see surface here from the database, and are reported as
    the user errors they are.
    """
    async with sessions() as session, session.begin():
        try:
            yield session
            await session.flush()
        except StaleDataError as error:
            raise UserInputError.single(
                ErrorCode.VERSION_CONFLICT,
                "The record was changed by someone else meanwhile. Read it again and retry.",
                ("expected_version",),
            ) from error
        except IntegrityError as error:
            raise UserInputError.single(
                ErrorCode.DUPLICATE,
                "The change conflicts with another record (a value that must be unique is taken).",
            ) from error
