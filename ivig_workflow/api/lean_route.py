"""The ward-event routes answered without FastAPI's per-request dependency solving.

FastAPI solves a route's dependencies for every request by walking their tree: for
`POST /v1/events` (`Sender`, `Caller`, `Context`) nine solves, about half of the route's
CPU on the event loop that 32 wards share (`bench.profile_http`). A `LeanRoute` keeps
the endpoint's declared signature, so the OpenAPI contract (the bearer scheme, the
security on the operation) is what FastAPI derives from it, and answers by calling the
same authentication directly: the same bearer parsing (`bearer`), the same checks
(`authenticated_caller`), the same 401 and 403, the same exception handlers.

Only endpoints whose parameters are among `request`, `sender`, `caller` and `context`,
declared as `Request`, `Sender`, `Caller` and `Context`, can be lean; anything else
(another parameter, a dependency added on the router or where it is included) is
refused at start-up or solved by FastAPI as usual.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Coroutine
from typing import Any, get_type_hints

from fastapi import Request, Response
from fastapi.routing import APIRoute, _effective_route_context_var

from ivig_workflow.api.auth import Caller, Context, Sender, authenticated_caller, bearer
from ivig_workflow.api.context import ApiContext

_DECLARED: dict[str, Any] = {
    "request": Request,
    "sender": Sender,
    "caller": Caller,
    "context": Context,
}
Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class LeanRoute(APIRoute):
    def get_route_handler(self) -> Handler:
        effective = _effective_route_context_var.get()
        if self.dependencies or (effective is not None and effective.dependencies):
            return super().get_route_handler()  # dependencies beyond the endpoint's own
        endpoint = self.endpoint
        names = lean_parameters(endpoint)

        async def handler(request: Request) -> Response:
            context: ApiContext = request.app.state.ivig
            caller = await authenticated_caller(request, await bearer(request), context)
            given = {"request": request, "sender": caller.name, "caller": caller}
            given["context"] = context
            response: Response = await endpoint(**{name: given[name] for name in names})
            return response

        return handler


def lean_parameters(endpoint: Callable[..., Any]) -> list[str]:
    """The endpoint's parameter names, checked against what a lean route can give."""
    if not inspect.iscoroutinefunction(endpoint):
        raise TypeError(f"{endpoint.__name__}: a lean route's endpoint must be async")
    hints = get_type_hints(endpoint, include_extras=True)
    names = list(inspect.signature(endpoint).parameters)
    for name in names:
        if name not in _DECLARED or hints.get(name) != _DECLARED[name]:
            raise TypeError(
                f"{endpoint.__name__}: parameter {name!r} is not one a lean route gives "
                f"({', '.join(f'{n}: {t}' for n, t in _DECLARED.items())})"
            )
    return names
