"""Fields every record type shares, and the field that follows a reference to another record."""

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from db.models import User
from schema.selection import record_columns


def reference(type_ref: Any, model: type[Any], column: str, description: str | None = None) -> Any:
    """A to-one relation, loaded through the request's DataLoader (one query per batch)."""

    async def resolve(root: strawberry.Parent[Any], info: Info) -> type_ref | None:  # type: ignore[valid-type]
        key = getattr(root, column)
        if key is None:
            return None
        columns = record_columns(info, model.__name__)
        return await info.context.loaders.by_id(model, columns).load(key)

    return strawberry.field(resolver=resolve, description=description)


@strawberry.input
class ImportFields:
    created_at: datetime | None = strawberry.field(
        default=None,
        description="For imports (ADMIN keys): when the record was created in the system it "
        "comes from; not in the future. History and derived times start there.",
    )


@strawberry.type
class RecordFields:
    """Versioning and audit fields. Root values are ORM rows whose class name is the type name."""

    version: int = strawberry.field(
        description="Increases with every change; pass it as expectedVersion to update safely."
    )
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None = strawberry.field(
        description="When the record was archived; null while it is active."
    )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return type(obj).__name__ == cls.__name__


@strawberry.type
class OwnedFields(RecordFields):
    owner = reference(
        Annotated["User", strawberry.lazy("schema.users")],
        User,
        "owner_id",
        "The user responsible for this record.",
    )
