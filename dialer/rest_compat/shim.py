"""One generic endpoint serves every REST v1 route: it turns the request into the route's GraphQL
variables, runs the pre-parsed operation, and shapes the result as the contract's JSON."""

from __future__ import annotations

import base64
import csv
import io
import logging
import math
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from inspect import isawaitable
from typing import Any

import orjson
from graphql import (
    ExecutionResult,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    execute,
    get_named_type,
)
from graphql.execution.values import get_variable_values
from graphql.utilities import validate_input_value
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from tortoise.exceptions import ValidationError

from dialer.graphql.context import Context
from dialer.graphql.errors import BadRequest, DialerError
from dialer.graphql.operations import authorize
from dialer.rest_compat.bodies import json_body, read_body, upload
from dialer.rest_compat.compiled import CompiledRoute, Variable, compile_route
from dialer.rest_compat.errors import envelope, from_error
from dialer.rest_compat.table import RestRoute

log = logging.getLogger(__name__)
ContextFactory = Callable[[Request], Awaitable[Context]]
Limits = tuple[int, int]  # largest JSON body, largest upload
CSV_PAGE = 500

_UNKNOWN_FIELD = re.compile(r"not to include unknown field '([^']+)'")
_MISSING_FIELD = re.compile(r"to include required field '([^']+)'")
_TYPE_NOUN = re.compile(r"^Expected value of type '([^']+)'")


def csv_line(values: Iterable[Any]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(["" if v is None else v for v in values])
    return out.getvalue()


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
    _arrays_stay_arrays(value, variable.type, [label] if label else [], problems)


def _arrays_stay_arrays(value: Any, graphql_type: Any, path: list[str], problems: dict[str, str]) -> None:
    """GraphQL takes a lone value for a list of one; JSON clients sent what they meant, so an array
    field given anything but an array is an error here."""
    if isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    if value is None:
        return
    if isinstance(graphql_type, GraphQLList):
        if not isinstance(value, list):
            problems.setdefault(".".join(path) or "body", "expected an array")
        return
    if isinstance(graphql_type, GraphQLInputObjectType) and isinstance(value, dict):
        for name, field in graphql_type.fields.items():
            if name in value:
                _arrays_stay_arrays(value[name], field.type, [*path, name], problems)


class RestEndpoint:
    def __init__(
        self, schema: GraphQLSchema, compiled: CompiledRoute, make_context: ContextFactory, limits: Limits
    ) -> None:
        self.schema, self.compiled, self.make_context = schema, compiled, make_context
        self.max_body, self.max_upload = limits

    async def run(self, context: Context, variables: dict[str, Any]) -> ExecutionResult:
        result = execute(self.schema, self.compiled.document, context_value=context, variable_values=variables)
        return await result if isawaitable(result) else result

    async def handle(self, request: Request) -> Response:
        form: FormData | None = None
        try:
            context = await self.make_context(request)
            # Who may call comes before what they sent: a viewer's bad body is a 403, not a 400.
            authorize(context, self.compiled.roles, self.compiled.field_name)
            variables, form = await self.variables(request)
            route = self.compiled.route
            as_csv = bool(route.formats) and getattr(request.state, "format", route.formats[0]) == "csv"
            if route.result == "csv":
                variables |= {"first": CSV_PAGE, "after": None}
            elif as_csv and route.stream is not None:
                variables |= {"first": 1}  # the field checks roles and arguments; the hook streams the rows
            result = await self.run(context, variables)
        except DialerError as error:
            return from_error(error)
        finally:
            if form is not None:
                await form.close()
        if result.errors:
            return self.failure(result.errors[0])
        data = result.data[self.compiled.field_name]
        if route.result == "csv":
            return StreamingResponse(self.csv_pages(context, variables, data), media_type="text/csv; charset=utf-8")
        if as_csv:
            return self.csv_formatted(variables, data)
        if route.result == "file":
            return _file_response(data, route.status)
        if route.result == "page":
            info = data["pageInfo"]
            data = {"items": data["nodes"], "next": info["endCursor"] if info["hasNextPage"] else None}
        return Response(orjson.dumps(data), status_code=route.status, media_type="application/json")

    def csv_formatted(self, variables: dict[str, Any], data: dict[str, Any]) -> Response:
        """format=csv: the stream hook's rows, or the result's `items` (a report's few rows)."""
        route = self.compiled.route
        if route.stream is not None:
            values = get_variable_values(self.schema, self.compiled.operation.variable_definitions or (), variables)
            if isinstance(values, list):  # the operation just ran with these variables: cannot happen
                return self.failure(values[0])
            coerced = values.coerced
            name = self.compiled.field_name
            return StreamingResponse(
                route.stream(coerced),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
            )
        columns = self.compiled.csv_columns
        lines = [csv_line(columns)]
        for item in data["items"]:
            lines.append(csv_line(_cell(item[column]) for column in columns))
        return Response("".join(lines), status_code=route.status, media_type="text/csv; charset=utf-8")

    async def csv_pages(self, context: Context, variables: dict[str, Any], page: dict) -> AsyncIterator[str]:
        """Header, then each page's nodes, fetching the next page only when this one is sent."""
        columns = self.compiled.csv_columns
        yield csv_line(columns)
        while True:
            for node in page["nodes"]:
                yield csv_line([node[column] for column in columns])
            if not page["pageInfo"]["hasNextPage"]:
                return
            result = await self.run(context, variables | {"after": page["pageInfo"]["endCursor"]})
            if result.errors:  # the status is sent already: end the body rather than hide the failure
                log.error("csv page of %s failed: %s", self.compiled.route.path, result.errors[0])
                raise RuntimeError("csv export interrupted")
            page = result.data[self.compiled.field_name]

    async def variables(self, request: Request) -> tuple[dict[str, Any], FormData | None]:
        compiled = self.compiled
        values: dict[str, Any] = {}
        form: FormData | None = None
        problems: dict[str, str] = {}
        for variable in compiled.path_params:
            values[variable.name] = request.path_params[variable.name]
        seen: set[str] = set()
        for name, raw in request.query_params.multi_items():
            variable = compiled.query_params.get(name)
            if name == "format" and compiled.route.formats:
                if name in seen:
                    problems[name] = "given more than once"
                elif raw not in compiled.route.formats:
                    problems[name] = f"must be one of {', '.join(compiled.route.formats)}"
                seen.add(name)
                request.state.format = raw
            elif variable is None:
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
        for name, variable in compiled.query_params.items():
            if variable.required and variable.name not in values and name not in problems:
                problems[name] = "required"
        for header, variable in compiled.headers.items():
            if header in request.headers:
                values[variable.name] = request.headers[header][:255]
        if compiled.upload is not None:
            file, form = await upload(request, compiled.upload.name, self.max_upload)
        else:
            raw_body = await read_body(request, self.max_body)
            if compiled.raw is not None:
                # Text whatever the bytes: a refused body is kept (dead letters) rather than lost to a decode error.
                values[compiled.raw.name] = raw_body.decode("utf-8", "replace").replace("\x00", "\ufffd")
            elif compiled.body is not None:
                if not raw_body.strip():
                    if not compiled.route.optional_body:
                        raise BadRequest("this route needs a JSON body", {"expected": "application/json"})
                else:
                    values[compiled.body.name] = json_body(raw_body, request.headers.get("content-type", ""))
                    if values[compiled.body.name] is None:  # an optional body is left out, not sent as null
                        raise BadRequest("the body must be a JSON object, not null (or send no body)")
            elif raw_body.strip() and json_body(raw_body, request.headers.get("content-type", "")) != {}:
                raise BadRequest("this route takes no body (send none, or {})")
        for name, value in values.items():
            variable = next(
                v
                for v in (
                    *compiled.path_params,
                    *compiled.query_params.values(),
                    compiled.body,
                    compiled.raw,
                    *compiled.headers.values(),
                )
                if v and v.name == name
            )
            label = "" if compiled.body is variable else compiled.rest_name(name)
            _check(value, variable, label, problems)
        if problems:
            if form is not None:
                await form.close()
            raise BadRequest.fields(problems)
        if compiled.upload is not None:
            values[compiled.upload.name] = file
        return values, form

    def failure(self, error: GraphQLError) -> Response:
        original = error.original_error
        if isinstance(original, ValidationError):  # a value the ORM refuses (e.g. longer than its column)
            original = BadRequest(str(original))
        if isinstance(original, DialerError):
            details = original.details
            if "fields" in details:  # name fields as the client sent them (limit, not first)
                details = {**details, "fields": {self.compiled.rest_name(k): v for k, v in details["fields"].items()}}
            return from_error(type(original)(original.message, details))
        if original is None or isinstance(original, GraphQLError):  # the request's own fault
            return envelope("bad_request", error.message)
        log.error("%s %s failed", self.compiled.route.method, self.compiled.route.path, exc_info=original)
        return envelope("server_error", "internal error; it has been logged")


def _cell(value: Any) -> Any:
    return orjson.dumps(value).decode() if isinstance(value, (dict, list)) else value


def _file_response(document: dict[str, Any], status: int) -> Response:
    """A FileDocument as the file: bytes from base64 (zip) or text (markdown, XML)."""
    content = base64.b64decode(document["base64"]) if document.get("base64") else (document.get("text") or "").encode()
    headers = {}
    if document.get("filename"):
        headers["Content-Disposition"] = f'attachment; filename="{document["filename"]}"'
    return Response(content, status_code=status, media_type=document["contentType"], headers=headers)


def compile_routes(schema: GraphQLSchema, routes: Iterable[RestRoute]) -> list[CompiledRoute]:
    return [compile_route(schema, route) for route in routes]


def starlette_routes(
    schema: GraphQLSchema, compiled: Iterable[CompiledRoute], make_context: ContextFactory, limits: Limits
) -> list[Route]:
    """One Starlette route per path, dispatching on the method, so a wrong method's `Allow` lists
    every method the path takes."""
    by_path: dict[str, dict[str, RestEndpoint]] = {}
    for c in compiled:
        by_path.setdefault(c.route.path, {})[c.route.method] = RestEndpoint(schema, c, make_context, limits)

    def dispatcher(endpoints: dict[str, RestEndpoint]) -> Callable[[Request], Awaitable[Response]]:
        async def dispatch(request: Request) -> Response:
            method = "GET" if request.method == "HEAD" else request.method
            return await endpoints[method].handle(request)

        return dispatch

    return [Route(path, dispatcher(endpoints), methods=list(endpoints)) for path, endpoints in by_path.items()]
