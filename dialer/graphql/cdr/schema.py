"""CDR intake and reads: thin resolvers over `service`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from dialer.graphql.campaigns.schema import After, First
from dialer.graphql.cdr import service
from dialer.graphql.cdr.types import Cdr, CdrDeadLetter, CdrReceipt
from dialer.graphql.operations import mutation, query
from dialer.graphql.pagination import Connection
from dialer.graphql.permissions import ADMIN, READ, Role
from dialer.graphql.validation import CONSTRAINTS

UUID = {"minLength": 1, "maxLength": 64, "pattern": "^[A-Za-z0-9_.:-]+$"}
CdrUuid = Annotated[str, strawberry.argument(description="The call leg's uuid.", metadata={CONSTRAINTS: UUID})]
INTAKE = frozenset({Role.integration, Role.admin})


@strawberry.type
class CdrQuery:
    @query(roles=READ)
    async def cdr(self, info: strawberry.Info, uuid: CdrUuid) -> Cdr:
        """One stored CDR by its call leg's uuid."""
        return Cdr.of(await service.get(uuid))

    @query(roles=ADMIN)
    async def cdr_dead_letters(
        self, info: strawberry.Info, first: First = None, after: After = None
    ) -> Connection[CdrDeadLetter]:
        """CDR posts refused as malformed, newest first, with the reason and the body as received."""
        return await service.dead_letters(first, after, CdrDeadLetter.of)


@strawberry.type
class CdrMutation:
    # No audit row: the CDR is itself the record, and there is one per call.
    @mutation(roles=INTAKE, action=None)
    async def ingest_cdr(
        self,
        info: strawberry.Info,
        body: Annotated[
            str,
            strawberry.argument(
                description="The body as mod_json_cdr sent it: JSON, or a cdr= form (values URL-encoded or not).",
                metadata={CONSTRAINTS: {"maxLength": 1_048_576}},
            ),
        ],
        content_type: Annotated[
            str | None, strawberry.argument(description="Its Content-Type.", metadata={CONSTRAINTS: {"maxLength": 255}})
        ] = None,
        uuid: Annotated[
            str | None,
            strawberry.argument(
                description="The ?uuid= mod_json_cdr adds to the URL.", metadata={CONSTRAINTS: {"maxLength": 64}}
            ),
        ] = None,
    ) -> CdrReceipt:
        """Store one CDR (idempotent on its uuid) and record its lead's attempt."""
        return await service.ingest(body, content_type, uuid, info.context)
