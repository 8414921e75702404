"""Clarus's GraphQL read API for the sandbox: ``POST /sandbox/graphql``.

Every resource is ``<resource> { all(filter: <Resource>FilterType, first: Int, after: String) {
edges { cursor node { ... } } pageInfo { hasNextPage endCursor hasPreviousPage startCursor } } }``
(CONTRACT.md §2.8, §4), scoped to the tenant of the bearer token and ``X-Clarus-Subdomain``.

- ``view``: the endpoint, its authentication and its JSON envelope;
- ``schema``: the root fields and their querysets;
- ``nodes``: the node types; ``filters``: each resource's filter argument;
- ``inputs``: the operator inputs (StringInputType, IdInputType...), ``lookups``: like/ilike;
- ``pagination``: cursors and page sizes (25 by default, at most 100).
"""
