"""One generic endpoint serves every REST v1 route: it turns the request into the route's GraphQL
variables, runs the pre-parsed operation, and shapes the result as the contract's JSON."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Awaitable, Callable, Iterable
from inspect import isawaitable
from typing import Any

import orjson
from graphql import GraphQLError, GraphQLSchema, execute, get_named_type
from graphql.utilities import validate_input_value
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dialer.graphql.context import Context
from dialer.graphql.errors import BadRequest, DialerError
from dialer.graphql.operations import authorize
from dialer.rest_compat.compiled import CompiledRoute, Variable, compile_route
from dialer.rest_compat.errors import envelope, from_error
from dialer.rest_compat.table import RestRoute

log = logging.getLogger(__name__)
ContextFactory = Callable[[Request], Awaitable[Context]]

_UNKNOWN_FIELD = re.compile(r"not to include unknown field '([^']+)'")
_MISSING_FIELD = re.compile(r"to include required field '([^']+)'")
_TYPE_NOUN = re.compile(r"^Expected value of type '([^']+)'")


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadRequest(f"request body exceeds {limit} bytes", {"limitBytes": limit})
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(f"request body exceeds {limit} bytes", {"limitBytes": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def _json_body(raw: bytes, content_type: str) -> Any:
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise BadRequest(
            "the body must be JSON: send Content-Type: application/json",
            {"contentType": content_type or None, "expected": "application/json"},
        )
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as bad:
        raise BadRequest(f"malformed JSON: {bad}", {"position": bad.pos}) from None


def _query_value(raw: str, variable: Variable) -> Any:
    """Query strings are text; GraphQL wants typed values."""
    kind = get_named_type(variable.type).name
    if kind == "Int":
        return int(raw) if re.fullmatch(r"-?\d{1,19}", raw) else raw
    if kind == "Float":
        try:
            value = float(raw)
        except ValueError:
            return raw
        return value if math.isfinite(value) else raw
    if kind == "Boolean":
        return {"true": True, "false": False}.get(raw.lower(), raw)
    return raw


def _check(value: Any, variable: Variable, label: str, problems: dict[str, str]) -> None:
    """Collect what is wrong with one variable's value, keyed by the path the client sent."""

    def on_error(error: GraphQLError, path: list[str | int]) -> None:
        where = [label] if label else []
        where += [f"[{p}]" if isinstance(p, int) else p for p in path]
        reason = error.message
        for pattern, why in ((_UNKNOWN_FIELD, "unknown field"), (_MISSING_FIELD, "required")):
            found = pattern.search(error.message)
            if found:
                where.append(found.group(1))
                reason = why
        if reason.startswith("Expected value of non-null type"):
            reason = "required" if "to be provided" in reason else "must not be null"
        else:
            reason = _TYPE_NOUN.sub(r"expected \1", reason)
        problems.setdefault(".".join(where).replace(".[", "[") or "body", reason)

    validate_input_value(value, variable.type, on_error, hide_suggestions=False)


class RestEndpoint:
    def __init__(
        self, schema: GraphQLSchema, compiled: CompiledRoute, make_context: ContextFactory, max_body: int
    ) -> None:
        self.schema, self.compiled, self.make_context, self.max_body = schema, compiled, make_context, max_body

    async def handle(self, request: Request) -> Response:
        try:
            context = await self.make_context(request)
            # Who may call comes before what they sent: a viewer's bad body is a 403, not a 400.
            authorize(context, self.compiled.roles, self.compiled.field_name)
            variables = await self.variables(request)
            result = execute(self.schema, self.compiled.document, context_value=context, variable_values=variables)
            if isawaitable(result):
                result = await result
        except DialerError as error:
            return from_error(error)
        if result.errors:
            return self.failure(result.errors[0])
        data = result.data[self.compiled.field_name]
        if self.compiled.route.result == "page":
            info = data["pageInfo"]
            data = {"items": data["nodes"], "next": info["endCursor"] if info["hasNextPage"] else None}
        return Response(orjson.dumps(data), status_code=self.compiled.route.status, media_type="application/json")

    async def variables(self, request: Request) -> dict[str, Any]:
        compiled = self.compiled
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for variable in compiled.path_params:
            values[variable.name] = request.path_params[variable.name]
        seen: set[str] = set()
        for name, raw in request.query_params.multi_items():
            variable = compiled.query_params.get(name)
            if variable is None:
                problems[name] = (
                    f"unknown query parameter; this route takes: {', '.join(compiled.query_params) or 'none'}"
                )
            elif name in seen:
                problems[name] = "given more than once"
            elif raw == "":
                problems[name] = "empty; omit the parameter instead"
            else:
                seen.add(name)
                values[variable.name] = _query_value(raw, variable)
        raw_body = await read_body(request, self.max_body)
        if compiled.body is not None:
            if not raw_body.strip():
                raise BadRequest("this route needs a JSON body", {"expected": "application/json"})
            values[compiled.body.name] = _json_body(raw_body, request.headers.get("content-type", ""))
        elif raw_body.strip() and _json_body(raw_body, request.headers.get("content-type", "")) != {}:
            raise BadRequest("this route takes no body (send none, or {})")
        for name, value in values.items():
            variable = next(
                v
                for v in (*compiled.path_params, *compiled.query_params.values(), compiled.body)
                if v and v.name == name
            )
            label = "" if compiled.body is variable else compiled.rest_name(name)
            _check(value, variable, label, problems)
        if problems:
            raise BadRequest.fields(problems)
        return values

    def failure(self, error: GraphQLError) -> Response:
        original = error.original_error
        if isinstance(original, DialerError):
            details = original.details
            if "fields" in details:  # name fields as the client sent them (limit, not first)
                details = {**details, "fields": {self.compiled.rest_name(k): v for k, v in details["fields"].items()}}
            return from_error(type(original)(original.message, details))
        if original is None:
            return envelope("bad_request", error.message)
        log.error("%s %s failed", self.compiled.route.method, self.compiled.route.path, exc_info=original)
        return envelope("server_error", "internal error; it has been logged")


def compile_routes(schema: GraphQLSchema, routes: Iterable[RestRoute]) -> list[CompiledRoute]:
    return [compile_route(schema, route) for route in routes]


def starlette_routes(
    schema: GraphQLSchema, compiled: Iterable[CompiledRoute], make_context: ContextFactory, max_body: int
) -> list[Route]:
    """One Starlette route per path, dispatching on the method, so a wrong method's `Allow` lists
    every method the path takes."""
    by_path: dict[str, dict[str, RestEndpoint]] = {}
    for c in compiled:
        by_path.setdefault(c.route.path, {})[c.route.method] = RestEndpoint(schema, c, make_context, max_body)

    def dispatcher(endpoints: dict[str, RestEndpoint]) -> Callable[[Request], Awaitable[Response]]:
        async def dispatch(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            return await endpoints[method].handle(request)

        return dispatch

    return [Route(path, dispatcher(endpoints), methods=list(endpoints)) for path, endpoints in by_path.items()]
