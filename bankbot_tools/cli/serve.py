"""``bankbot serve``: the LLM tools over MCP, on stdio or streamable HTTP."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable
from types import FrameType
from typing import Annotated

import typer

from bankbot_tools.cli.common import command


def serve(
    http: Annotated[
        str | None,
        typer.Option(
            "--http",
            metavar="HOST:PORT",
            help="Serve streamable HTTP at http://HOST:PORT/mcp instead of stdio,"
            " e.g. 127.0.0.1:8765.",
        ),
    ] = None,
    allow_remote: Annotated[
        bool,
        typer.Option(
            "--allow-remote",
            help="Allow a non-loopback HOST (needs BANKBOT_MCP_TOKEN set in the environment).",
        ),
    ] = False,
) -> None:
    """Serve the LLM tools to any MCP client: stdio by default, or streamable HTTP.

    tools/list gives the schemas of `bankbot schemas export`.

    tools/call runs the dispatcher: one tool.invoked event per call, on stderr.

    HTTP binds to loopback. A non-loopback HOST needs --allow-remote and a token.

    The token is read from BANKBOT_MCP_TOKEN only (16+ characters).

    With a token, requests without `Authorization: Bearer <token>` get 401.

    Example: bankbot serve

    Example: bankbot serve --http 127.0.0.1:8765
    """
    with command("serve", transport="http" if http else "stdio"):
        if http is None and allow_remote:
            raise ValueError("--allow-remote only applies with --http HOST:PORT")
        from bankbot_tools.llm import mcp_server  # the SDK loads only when serving

        token = os.environ.get(mcp_server.TOKEN_ENV) or None
        if http is None:
            _until_interrupted(mcp_server.run_stdio)
            return
        endpoint = mcp_server.HttpEndpoint.parse(http, allow_remote=allow_remote, token=token)
        _until_interrupted(lambda: mcp_server.run_http(endpoint))


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def _until_interrupted(run: Callable[[], None]) -> None:
    """Run a server until it ends; Ctrl-C or SIGTERM is the normal way to stop it.

    SIGTERM (``docker stop``, Kubernetes) is handled like Ctrl-C, so either ends the
    command with exit 0 and its one event, after uvicorn's graceful shutdown.
    """
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            run()
    finally:
        signal.signal(signal.SIGTERM, previous)
