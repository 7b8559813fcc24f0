"""REST v1: the contract's routes as a table of GraphQL operations, served by one generic endpoint."""
