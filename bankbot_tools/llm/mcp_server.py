"""The LLM tools served over the Model Context Protocol, to any MCP client.

This is the only module that imports the ``mcp`` SDK (and uvicorn/starlette), so
import it lazily: ``bankbot serve`` does, nothing else does.

It uses the SDK's low-level server, so each tool keeps ONE description: ``tools/list``
answers with the very name, description and input schema of
:data:`bankbot_tools.llm.dispatch.TOOLS` (what ``bankbot schemas export`` prints), and
``tools/call`` runs :func:`bankbot_tools.llm.dispatch.dispatch`, which validates the
arguments and emits the call's one ``tool.invoked`` event. The dispatcher's JSON
answer is the structured content; ``ok: false`` becomes an MCP tool error
(``is_error``), never a protocol error or a crashed session.

Transports: stdio (one client, the process's stdin/stdout) or streamable HTTP.
HTTP binds to loopback unless told otherwise; a non-loopback address needs
``allow_remote`` and a bearer token, and with a token every HTTP request without
``Authorization: Bearer <token>`` gets 401.
"""

from __future__ import annotations

import copy
import hmac
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import anyio
import mcp_types as types
import uvicorn
from mcp.server import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from bankbot_tools import __version__
from bankbot_tools.llm.dispatch import TOOLS, dispatch

#: The server's name in the MCP handshake.
SERVER_NAME: Final = "bankbot-tools"

#: Environment variable holding the HTTP bearer token (never a command-line option).
TOKEN_ENV: Final = "BANKBOT_MCP_TOKEN"  # noqa: S105 (a variable name, not a secret)

#: Shortest bearer token accepted: a guessable token is no protection.
MIN_TOKEN_LENGTH: Final = 16

#: Path of the streamable HTTP endpoint.
HTTP_PATH: Final = "/mcp"

_INSTRUCTIONS: Final = (
    "Banking voicebot tools. Call calculate_payment or generate_plan for any loan arithmetic"
    " and get_prompt for regulated wording; read spoken text word for word."
)

#: The tools are pure computations: they read nothing outside and change nothing.
_ANNOTATIONS: Final = types.ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)

_ADDRESS: Final = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<host>[^:\[\]]*)):(?P<port>\d{1,5})$")


def list_tools() -> list[types.Tool]:
    """The MCP tool list: name, description and input schema straight from the registry.

    >>> [tool.name for tool in list_tools()]
    ['calculate_payment', 'generate_plan', 'get_prompt', 'call_window']
    """
    return [
        types.Tool(
            name=tool.name,
            description=tool.description,
            input_schema=copy.deepcopy(tool.parameters),
            annotations=_ANNOTATIONS,
        )
        for tool in TOOLS.values()
    ]


def call_result(answer: Mapping[str, Any]) -> types.CallToolResult:
    """The MCP result of one dispatcher answer.

    The answer is the structured content; the text part is the result's
    ``spoken_text`` when it has one (``get_prompt``), else the answer as compact JSON
    (what :func:`bankbot_tools.llm.dispatch.tool_message` sends). ``ok: false`` is a tool error.

    >>> result = call_result({"ok": False, "error": {"type": "unknown_tool"}})
    >>> result.is_error, result.structured_content["error"]["type"]
    (True, 'unknown_tool')
    >>> call_result({"ok": True, "result": {"spoken_text": "Hello."}}).content[0].text
    'Hello.'
    """
    result = answer.get("result")
    spoken = result.get("spoken_text") if isinstance(result, Mapping) else None
    text = (
        spoken
        if isinstance(spoken, str)
        else json.dumps(answer, ensure_ascii=False, separators=(",", ":"))
    )
    return types.CallToolResult(
        content=[types.TextContent(text=text)],
        structured_content=dict(answer),
        is_error=not answer.get("ok", False),
    )


async def _on_list_tools(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    return types.ListToolsResult(tools=list_tools())


async def _on_call_tool(
    ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
) -> types.CallToolResult:
    return call_result(await dispatch(params.name, params.arguments))


def _input_schema(name: str) -> Mapping[str, Any] | None:
    tool = TOOLS.get(name)
    return None if tool is None else tool.parameters


def build_server() -> Server[Any]:
    """A low-level MCP server answering ``tools/list`` and ``tools/call``; no transport yet."""
    return Server(
        SERVER_NAME,
        version=__version__,
        instructions=_INSTRUCTIONS,
        get_tool_input_schema=_input_schema,
        on_list_tools=_on_list_tools,
        on_call_tool=_on_call_tool,
    )


def warm_up() -> None:
    """Load the compiled loan kernel (numba's cache) before the first client waits for it.

    Runs the core directly, not :func:`dispatch`, so no ``tool.invoked`` event is emitted.
    """
    TOOLS["calculate_payment"].run(principal=1000, annual_rate=0.05, months=12)


async def serve_stdio() -> None:
    """Serve one client over this process's stdin and stdout until stdin closes.

    While serving, the SDK points fd 1 at stderr, so nothing but protocol reaches stdout.
    """
    warm_up()
    server = build_server()
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def run_stdio() -> None:
    """Blocking form of :func:`serve_stdio`, for the CLI."""
    anyio.run(serve_stdio)


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback IP addresses; other names are never resolved.

    >>> is_loopback("127.0.0.1"), is_loopback("::1"), is_loopback("0.0.0.0")
    (True, True, False)
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class HttpEndpoint:
    """Where to serve streamable HTTP, and the bearer token requests must carry (if any)."""

    host: str
    port: int
    token: str | None = None

    @classmethod
    def parse(
        cls, address: str, *, allow_remote: bool = False, token: str | None = None
    ) -> HttpEndpoint:
        """Validate ``HOST:PORT`` against the exposure policy; any refusal is a ``ValueError``.

        A non-loopback host needs both ``allow_remote`` and a token; a token, when
        given, must be at least :data:`MIN_TOKEN_LENGTH` characters.

        >>> HttpEndpoint.parse("127.0.0.1:8765").url
        'http://127.0.0.1:8765/mcp'
        >>> HttpEndpoint.parse("[::1]:8765").url
        'http://[::1]:8765/mcp'
        """
        match = _ADDRESS.fullmatch(address.strip())
        port = int(match.group("port")) if match else 0
        if match is None or not 1 <= port <= 65535:
            raise ValueError(f"--http takes HOST:PORT such as 127.0.0.1:8765 (got {address!r})")
        host = match.group("v6") or match.group("host") or "127.0.0.1"
        if token is not None and len(token) < MIN_TOKEN_LENGTH:
            raise ValueError(f"{TOKEN_ENV} must be at least {MIN_TOKEN_LENGTH} characters long")
        if not is_loopback(host):
            if not allow_remote:
                raise ValueError(
                    f"refusing to listen on {host}: it is not a loopback address; pass"
                    f" --allow-remote and set {TOKEN_ENV} to serve other machines"
                )
            if token is None:
                raise ValueError(
                    f"refusing to listen on {host} without a bearer token: set {TOKEN_ENV}"
                )
        return cls(host, port, token)

    @property
    def url(self) -> str:
        """The endpoint URL a client connects to."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{HTTP_PATH}"


class BearerAuth:
    """ASGI middleware: HTTP requests without ``Authorization: Bearer <token>`` get 401.

    The token is compared in constant time; lifespan events pass through.
    """

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._token = token.encode()

    def authorized(self, scope: Scope) -> bool:
        """True when the request carries the expected bearer token."""
        for name, value in scope.get("headers", ()):
            if name.lower() == b"authorization":
                scheme, _, credentials = bytes(value).partition(b" ")
                return scheme.lower() == b"bearer" and hmac.compare_digest(
                    credentials.strip(), self._token
                )
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 401 to an unauthorized HTTP request, else hand it on."""
        if scope["type"] == "http" and not self.authorized(scope):
            response = JSONResponse(
                {"error": "unauthorized", "message": "send Authorization: Bearer <token>"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer realm="bankbot"'},
            )
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def http_app(endpoint: HttpEndpoint) -> ASGIApp:
    """The streamable HTTP app at :data:`HTTP_PATH`, behind :class:`BearerAuth` given a token.

    On loopback the SDK's DNS-rebinding protection (Host and Origin checks) is on.
    """
    app: ASGIApp = build_server().streamable_http_app(
        streamable_http_path=HTTP_PATH, host=endpoint.host
    )
    return app if endpoint.token is None else BearerAuth(app, endpoint.token)


def run_http(endpoint: HttpEndpoint) -> None:
    """Serve streamable HTTP until SIGINT or SIGTERM, then shut down gracefully."""
    warm_up()
    config = uvicorn.Config(
        http_app(endpoint),
        host=endpoint.host,
        port=endpoint.port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    uvicorn.Server(config).run()
