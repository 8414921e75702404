"""The one error a query can make that GraphQL's own validation cannot see."""


class QueryError(Exception):
    """A query GraphQL accepts but the sandbox cannot answer: a bad cursor, id or range.

    Its message reaches the caller in the response's ``errors``; it is not logged.
    """
