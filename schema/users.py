"""Users: the people who own records."""

import strawberry

from db.models import User as UserModel
from resolvers import users
from schema.enums import UserRole
from schema.fields import ImportFields, RecordFields
from schema.records import crud_mutations, list_field
from schema.relay import Connection, Node


@strawberry.type(description="A person working in the CRM: owner of records, agent on cases.")
class User(RecordFields, Node):
    name: str
    email: str = strawberry.field(description="Unique in the workspace, stored lower-case.")
    role: UserRole


@strawberry.type
class UserConnection(Connection[User]):
    pass


@strawberry.input
class UserCreateInput(ImportFields):
    name: str
    email: str
    role: UserRole = UserRole.SALES


@strawberry.type
class UserQuery:
    users = list_field(UserConnection, UserModel, "Users of the workspace.")


UserMutation = crud_mutations("User", User, UserModel, UserCreateInput, users)
