"""How an operation is declared: `@query(roles=READ)` and `@mutation(roles=OPERATE, action="campaign.start")`.

The roles live on the field itself (a field extension), so the schema is the one place that says who
may call what; tests and the OpenAPI document read them back with `roles_of`. Every operation checks
its arguments against their declared constraints. A mutation runs in one database transaction together
with its audit row, and publishes its announcements only after the commit.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime
from typing import Any

import orjson
import strawberry
from strawberry.extensions import FieldExtension
from strawberry.types.base import has_object_definition
from strawberry.types.field import StrawberryField
from strawberry.utils.str_converters import to_camel_case
from tortoise.transactions import in_transaction

from dialer.graphql.context import AuditScope, Context
from dialer.graphql.errors import BadRequest, Forbidden
from dialer.graphql.permissions import Role
from dialer.graphql.validation import CONSTRAINTS, problems_of
from dialer.models import AuditEntry

log = logging.getLogger(__name__)


def authorize(context: Context, roles: frozenset[Role], operation: str) -> None:
    """Unauthorized without a valid token, forbidden for a role the operation does not declare."""
    principal = context.actor
    if principal.role not in roles:
        raise Forbidden(
            f"role {principal.role.value} may not call {operation}",
            {"role": principal.role.value, "allowed": sorted(r.value for r in roles)},
        )


class RequireRole(FieldExtension):
    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = frozenset(roles)

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        authorize(info.context, self.roles, info.field_name)
        return await next_(source, info, **kwargs)


class ValidateArguments(FieldExtension):
    """Every argument against the constraints declared on it and on its input types' fields."""

    def apply(self, field: StrawberryField) -> None:
        self.arguments = {
            argument.python_name: (
                argument.graphql_name or to_camel_case(argument.python_name),
                argument.metadata.get(CONSTRAINTS, {}),
            )
            for argument in field.arguments
        }

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        problems: dict[str, str] = {}
        for name, value in kwargs.items():
            graphql_name, rules = self.arguments[name]
            # Input objects report their fields from the body's root (amd.minConfidence, not input.amd...).
            root = "" if has_object_definition(value) else graphql_name
            problems.update(problems_of(value, root, rules))
        if problems:
            raise BadRequest.fields(problems)
        return await next_(source, info, **kwargs)


class AuditedMutation(FieldExtension):
    """Run in a transaction with the audit row, then announce. A mutation that waits on the outside
    world (a probe call) runs outside any transaction, which would hold a database connection (all of
    SQLite) for as long; its audit row is written when it returns."""

    def __init__(self, action: str | None, in_transaction: bool = True) -> None:
        self.action = action
        self.in_transaction = in_transaction

    async def resolve_async(
        self, next_: Callable[..., Awaitable[Any]], source: Any, info: strawberry.Info, **kwargs: Any
    ) -> Any:
        context: Context = info.context
        context.audit = AuditScope(self.action) if self.action else None
        context.after_commit, context.after_rollback = [], []
        try:
            if not self.in_transaction:
                result = await next_(source, info, **kwargs)
            async with in_transaction():
                if self.in_transaction:
                    result = await next_(source, info, **kwargs)
                if context.audit is not None:
                    await _write(context, context.audit)
        except BaseException:
            kept, context.after_rollback = context.after_rollback, []
            for keep in kept:
                await keep()
            raise
        finally:
            pending, context.after_commit, context.audit = context.after_commit, [], None
        for announce in pending:
            try:
                await announce()
            except Exception:  # the change is committed; a lost announcement must not turn it into an error
                log.exception("announcement after %s failed", self.action)
        return result


async def _write(context: Context, scope: AuditScope) -> None:
    if not scope.target_type:
        raise RuntimeError(f"mutation {scope.action} did not name its audit target")
    actor = context.actor.subject
    await AuditEntry.create(
        at=datetime.now(UTC),
        actor=actor,
        actor_ip=context.client_ip,
        action=scope.action,
        target_type=scope.target_type,
        target_id=scope.target_id,
        details=orjson.dumps(scope.details, default=str).decode(),
        source="api",
        recorded_by=actor,
    )


def query(*, roles: Iterable[Role], description: str | None = None) -> Callable[[Any], StrawberryField]:
    def decorate(resolver: Any) -> StrawberryField:
        return strawberry.field(
            resolver,
            description=description or resolver.__doc__,
            # Strawberry nests extensions so that the last one listed runs first: roles before anything.
            extensions=[ValidateArguments(), RequireRole(roles)],
        )

    return decorate


def mutation(
    *, roles: Iterable[Role], action: str | None, description: str | None = None, in_transaction: bool = True
) -> Callable[[Any], StrawberryField]:
    """`action=None` only for a mutation that is itself the record (POST /audit, POST /cdr);
    `in_transaction=False` for one that waits on the network (see AuditedMutation)."""

    def decorate(resolver: Any) -> StrawberryField:
        return strawberry.mutation(
            resolver,
            description=description or resolver.__doc__,
            extensions=[AuditedMutation(action, in_transaction), ValidateArguments(), RequireRole(roles)],
        )

    return decorate


def roles_of(field: StrawberryField) -> frozenset[Role] | None:
    for extension in field.extensions:
        if isinstance(extension, RequireRole):
            return extension.roles
    return None
