from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, RecordMixin, enum_column
from db.enums import UserRole


class User(RecordMixin, Base):
    """A person working in the CRM: owner of records, agent on cases."""

    __tablename__ = "crm_user"
    extra_table_args = (UniqueConstraint("workspace_id", "email"),)

    name: Mapped[str] = mapped_column(String(200))
    # Stored lower-cased so that uniqueness ignores case, as mail servers do.
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[UserRole] = mapped_column(enum_column(UserRole), default=UserRole.SALES)
