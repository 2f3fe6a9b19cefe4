"""`UserError` and `ErrorCode`: the payload errors every mutation returns."""

import strawberry
from strawberry.utils.str_converters import to_camel_case

from resolvers.errors import ErrorCode as DomainErrorCode
from resolvers.errors import UserInputError

ErrorCode = strawberry.enum(
    DomainErrorCode,
    name="ErrorCode",
    description="Why a mutation refused its input. Nothing was changed when any is returned.",
)


@strawberry.type(
    description="An expected failure of a mutation: invalid input, a missing record, a conflict."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path to the input field at fault, e.g. ["lineItems", "0", "quantity"].'
    )
    message: str
    code: ErrorCode  # type: ignore[valid-type]


def user_errors(error: UserInputError) -> list[UserError]:
    return [
        UserError(
            field=[to_camel_case(part) for part in item.field] if item.field else None,
            message=item.message,
            code=item.code,
        )
        for item in error.errors
    ]
