"""`bankbot serve` as a real subprocess, driven by the MCP SDK client over stdio and HTTP."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import httpx2
import mcp_types
import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from typer.testing import CliRunner

from bankbot_tools.cli import app
from bankbot_tools.llm.mcp_server import TOKEN_ENV, HttpEndpoint, call_result

SERVE = [sys.executable, "-m", "bankbot_tools", "serve"]
TOKEN = "test-token-0123456789abcdef"
PAYMENT = {"principal": 200000, "annual_rate": 0.065, "months": 360}
PLAN = {"principal": 20000, "rates": [0.07, 0.05, 0.03], "terms": [12, 12, 36]}
PROMPT = {"flow": "kyc", "params": {"bank_name": "Acme Bank", "attempts_left": 2}}
CALLS: dict[str, dict[str, Any]] = {
    "calculate_payment": PAYMENT,
    "generate_plan": PLAN,
    "get_prompt": PROMPT,
}
TIMEOUT = 20


def _env(**extra: str) -> dict[str, str]:
    """This test process's environment (PYTHONPATH included), without event or token settings."""
    env = {k: v for k, v in os.environ.items() if k not in ("BANKBOT_LOG_FILE", TOKEN_ENV)}
    return {**env, **extra}


@asynccontextmanager
async def stdio_session(errlog: Path) -> AsyncIterator[ClientSession]:
    """A client session with a fresh `python -m bankbot_tools serve`; its stderr goes to errlog."""
    params = StdioServerParameters(command=SERVE[0], args=SERVE[1:], env=_env())
    with errlog.open("w", encoding="utf-8") as err:
        async with (
            stdio_client(params, errlog=err) as (read, write),
            ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
        ):
            await session.initialize()
            yield session


@dataclass
class HttpServer:
    """A `bankbot serve --http` subprocess and the URL it answers on."""

    process: subprocess.Popen[str]
    url: str
    token: str | None

    @asynccontextmanager
    async def session(
        self, *, terminate_on_close: bool = True, token: str | None = None
    ) -> AsyncIterator[ClientSession]:
        """A client session on this server, sending its token unless told another."""
        token = token or self.token
        headers = {"Authorization": f"Bearer {token}"} if token else None
        async with (
            create_mcp_http_client(headers=headers) as http,
            streamable_http_client(
                self.url, http_client=http, terminate_on_close=terminate_on_close
            ) as (read, write),
            ClientSession(read, write, read_timeout_seconds=TIMEOUT) as session,
        ):
            await session.initialize()
            yield session


def _text(result: mcp_types.CallToolResult) -> str:
    """The one text part of a tool result."""
    (part,) = result.content
    assert isinstance(part, mcp_types.TextContent)
    return part.text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _start_http(token: str | None, errlog: Path) -> HttpServer:
    port = _free_port()
    env = _env(**({TOKEN_ENV: token} if token else {}))
    process = subprocess.Popen(
        [*SERVE, "--http", f"127.0.0.1:{port}"],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=errlog.open("w", encoding="utf-8"),
        text=True,
    )
    return HttpServer(process, f"http://127.0.0.1:{port}/mcp", token)


def _wait_until_listening(server: HttpServer) -> None:
    port = int(server.url.split(":")[2].split("/")[0])
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        assert server.process.poll() is None, "the server exited before listening"
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"no server on port {port} after {TIMEOUT}s")


def _stop(server: HttpServer) -> int:
    server.process.terminate()
    try:
        return server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=5)
        raise


@pytest.fixture(scope="module")
def http_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, HttpServer]]:
    """Two HTTP servers for the module: open on loopback, and with a token. Both stop after."""
    logs = tmp_path_factory.mktemp("http")
    servers = {
        "open": _start_http(None, logs / "open.log"),
        "token": _start_http(TOKEN, logs / "token.log"),
    }
    try:
        for server in servers.values():
            _wait_until_listening(server)
        yield servers
    finally:
        codes = {name: _stop(server) for name, server in servers.items()}
    assert codes == {"open": 0, "token": 0}, "SIGTERM must stop the server gracefully"


def _events(errlog: Path, event: str) -> list[dict[str, Any]]:
    lines = errlog.read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["event"] == event]


def _schema_export() -> dict[str, Any]:
    result = CliRunner().invoke(app, ["schemas", "export"])
    assert result.exit_code == 0
    return {tool["function"]["name"]: tool["function"] for tool in json.loads(result.stdout)}


async def test_tools_list_is_the_schema_export(tmp_path: Path) -> None:
    """tools/list gives exactly the names, descriptions and input schemas of `schemas export`."""
    with anyio.fail_after(TIMEOUT):
        async with stdio_session(tmp_path / "err.log") as session:
            listed = (await session.list_tools()).tools
    exported = _schema_export()
    assert [tool.name for tool in listed] == list(exported)
    for tool in listed:
        assert tool.input_schema == exported[tool.name]["parameters"]
        assert tool.description == exported[tool.name]["description"]


async def test_each_tool_answers_with_one_event_per_call(tmp_path: Path) -> None:
    """Every tool answers structured content, get_prompt's text is spoken_text, one event each."""
    errlog = tmp_path / "err.log"
    with anyio.fail_after(TIMEOUT):
        async with stdio_session(errlog) as session:
            results = {name: await session.call_tool(name, args) for name, args in CALLS.items()}
    for result in results.values():
        assert not result.is_error
        assert result.structured_content["ok"] is True
    payment = results["calculate_payment"].structured_content["result"]
    assert payment["monthly_payment"] == 1264.14
    assert json.loads(_text(results["calculate_payment"]))["result"] == payment
    assert len(results["generate_plan"].structured_content["result"]["segments"]) == 3
    prompt = results["get_prompt"].structured_content["result"]
    assert _text(results["get_prompt"]) == prompt["spoken_text"]
    assert "Acme Bank" in prompt["spoken_text"]
    invoked = _events(errlog, "tool.invoked")
    assert [event["tool"] for event in invoked] == list(CALLS)
    assert [event["command"] for event in _events(errlog, "cli.command")] == ["serve"]


@pytest.mark.parametrize(
    ("name", "arguments", "error_type"),
    [
        ("calculate_payment", {**PAYMENT, "annual_rate": 6.5}, "invalid_value"),
        ("calculate_payment", {"principal": 1000}, "missing_argument"),
        ("generate_plan", {**PLAN, "colour": "red"}, "unexpected_argument"),
        ("transfer_money", {"to": "me"}, "unknown_tool"),
    ],
    ids=["bad value", "missing", "unexpected", "unknown tool"],
)
async def test_bad_calls_are_tool_errors_and_the_session_goes_on(
    tmp_path: Path, name: str, arguments: dict[str, Any], error_type: str
) -> None:
    """A bad call is is_error with the dispatcher's error type; the next call is still answered."""
    with anyio.fail_after(TIMEOUT):
        async with stdio_session(tmp_path / "err.log") as session:
            bad = await session.call_tool(name, arguments)
            good = await session.call_tool("calculate_payment", PAYMENT)
    assert bad.is_error
    assert bad.structured_content["ok"] is False
    assert bad.structured_content["error"]["type"] == error_type
    assert json.loads(_text(bad)) == bad.structured_content
    assert not good.is_error


async def _many(session: ClientSession, count: int) -> list[Any]:
    results: list[Any] = [None] * count

    async def one(i: int) -> None:
        principal = 1000 + i  # a distinct answer per call, so none can be swapped or lost
        answer = await session.call_tool("calculate_payment", {**PAYMENT, "principal": principal})
        results[i] = answer.structured_content["result"]["principal"]

    async with anyio.create_task_group() as group:
        for i in range(count):
            group.start_soon(one, i)
    return results


async def test_200_concurrent_calls_on_one_stdio_session(tmp_path: Path) -> None:
    """200 calls in flight at once on one session: each is answered, with its own answer."""
    errlog = tmp_path / "err.log"
    with anyio.fail_after(TIMEOUT):
        async with stdio_session(errlog) as session:
            results = await _many(session, 200)
    assert results == [1000.0 + i for i in range(200)]
    assert len(_events(errlog, "tool.invoked")) == 200


async def test_200_concurrent_calls_on_one_http_session(
    http_servers: dict[str, HttpServer],
) -> None:
    """The same 200 concurrent calls over streamable HTTP."""
    with anyio.fail_after(TIMEOUT):
        async with http_servers["open"].session() as session:
            results = await _many(session, 200)
    assert results == [1000.0 + i for i in range(200)]


async def test_http_lists_and_calls_on_loopback(http_servers: dict[str, HttpServer]) -> None:
    """Over HTTP the tools list and the calls are the same as over stdio."""
    with anyio.fail_after(TIMEOUT):
        async with http_servers["open"].session() as session:
            listed = (await session.list_tools()).tools
            results = [await session.call_tool(name, args) for name, args in CALLS.items()]
            unknown = await session.call_tool("nope", {})
    assert {tool.name: tool.input_schema for tool in listed} == {
        name: function["parameters"] for name, function in _schema_export().items()
    }
    assert [result.is_error for result in results] == [False, False, False]
    assert unknown.is_error and unknown.structured_content["error"]["type"] == "unknown_tool"


async def test_a_client_vanishing_mid_call_leaves_the_server_serving(
    http_servers: dict[str, HttpServer],
) -> None:
    """A client that drops 50 in-flight calls without closing its session harms no other client."""
    server = http_servers["open"]
    with anyio.fail_after(TIMEOUT):
        async with server.session() as steady:
            first_answer = anyio.Event()

            async def vanishing_client() -> None:
                async with server.session(terminate_on_close=False) as session:

                    async def call() -> None:
                        await session.call_tool("generate_plan", {**PLAN, "terms": [400, 400, 400]})
                        first_answer.set()

                    async with anyio.create_task_group() as calls:
                        for _ in range(50):
                            calls.start_soon(call)
                        await first_answer.wait()
                        calls.cancel_scope.cancel()  # leave with calls still in flight

            async with anyio.create_task_group() as group:
                group.start_soon(vanishing_client)
                steady_results = await _many(steady, 50)
        async with server.session() as later:
            after = await later.call_tool("calculate_payment", PAYMENT)
    assert steady_results == [1000.0 + i for i in range(50)]
    assert not after.is_error
    assert server.process.poll() is None


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN}],
    ids=["no header", "wrong token", "no Bearer scheme"],
)
async def test_http_with_a_token_refuses_requests_without_it(
    http_servers: dict[str, HttpServer], headers: dict[str, str]
) -> None:
    """With BANKBOT_MCP_TOKEN set, a request without the right bearer token gets 401."""
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}
    async with httpx2.AsyncClient(timeout=TIMEOUT) as http:
        response = await http.post(http_servers["token"].url, json=initialize, headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


async def test_http_with_the_token_is_served(http_servers: dict[str, HttpServer]) -> None:
    """The right bearer token opens a session and its calls are answered."""
    with anyio.fail_after(TIMEOUT):
        async with http_servers["token"].session() as session:
            result = await session.call_tool("calculate_payment", PAYMENT)
    assert result.structured_content["result"]["monthly_payment"] == 1264.14


def test_non_loopback_without_token_refuses_to_start() -> None:
    """--allow-remote on 0.0.0.0 without BANKBOT_MCP_TOKEN exits 2 with one error line."""
    done = subprocess.run(
        [*SERVE, "--http", f"0.0.0.0:{_free_port()}", "--allow-remote"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("bankbot: error:")]
    assert errors == [
        f"bankbot: error: refusing to listen on 0.0.0.0 without a bearer token: set {TOKEN_ENV}"
    ]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("argv", "token", "message"),
    [
        (["--http", "0.0.0.0:8765"], TOKEN, "not a loopback address"),
        (["--http", "10.1.2.3:8765", "--allow-remote"], None, "without a bearer token"),
        (["--http", "0.0.0.0:8765", "--allow-remote"], "short", "at least 16 characters"),
        (["--http", "8765"], None, "HOST:PORT"),
        (["--http", "127.0.0.1:70000"], None, "HOST:PORT"),
        (["--allow-remote"], TOKEN, "only applies with --http"),
    ],
    ids=[
        "remote needs the flag",
        "remote needs a token",
        "short token",
        "no host",
        "bad port",
        "flag without http",
    ],
)
def test_unsafe_or_bad_serve_options_exit_2(
    runner: CliRunner,
    monkeypatch: pytest.MonkeyPatch,
    argv: list[str],
    token: str | None,
    message: str,
) -> None:
    """Each refused exposure or malformed address is a usage error naming the problem."""
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    if token is not None:
        monkeypatch.setenv(TOKEN_ENV, token)
    result = runner.invoke(app, ["serve", *argv])
    assert result.exit_code == 2
    assert message in result.stderr


def test_remote_with_flag_and_token_is_allowed() -> None:
    """A non-loopback host with --allow-remote and a long enough token passes the policy."""
    endpoint = HttpEndpoint.parse("0.0.0.0:8765", allow_remote=True, token=TOKEN)
    assert (endpoint.host, endpoint.port, endpoint.token) == ("0.0.0.0", 8765, TOKEN)


def test_internal_errors_stay_tool_errors() -> None:
    """Any ok=false answer, an internal error included, is is_error with its type."""
    answer = {"ok": False, "error": {"type": "internal_error", "message": "x", "field": None}}
    result = call_result(answer)
    assert result.is_error and result.structured_content == answer


def test_the_cli_does_not_import_the_sdk_until_serving() -> None:
    """Loading the CLI (`bankbot --version`, every other command) never imports mcp or uvicorn."""
    probe = "import sys, bankbot_tools.cli; print(sorted({'mcp', 'uvicorn'} & set(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", probe], env=_env(), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert done.stdout.strip() == "[]", done.stderr
