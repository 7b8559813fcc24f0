"""The GraphQL API: Strawberry types, queries and mutations, one package per domain.

Resolvers are thin; each domain's `service` module holds the plain async functions that do the work.
`operations.query` / `operations.mutation` declare each field's roles (and, for mutations, its audit
action) in one place.
"""
