"""Loopback servers answer only requests addressed to the loopback: a defence against DNS rebinding.

A web page the consultant visits can make its own host name resolve to 127.0.0.1 and then
read the local preview (the private dashboards) as if it were its own site. The browser
still sends that name in `Host`, so a server on the loopback refuses any `Host` but
`localhost`, `127.0.0.1` or `[::1]`, alone or with the port it listens on, with 400.
Starlette's TrustedHostMiddleware drops the port before comparing and so cannot tell
`[::1]` from `[`; this compares the whole header.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
REFUSAL = b"Invalid Host header: this server on your computer answers only localhost, 127.0.0.1 or [::1].\n"



class LoopbackHostOnly:
    """ASGI middleware: 400 for a `Host` other than a loopback name with this server's port."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on when its Host is ours, else answer 400."""
        if scope["type"] not in ("http", "websocket") or allowed_host(_host(scope), _port(scope)):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        await send({"type": "http.response.start", "status": 400, "headers": [
            (b"content-type", b"text/plain; charset=utf-8"), (b"content-length", str(len(REFUSAL)).encode()),
            (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": REFUSAL})


def allowed_host(host: str | None, port: int | None) -> bool:
    """`localhost`, `127.0.0.1` or `[::1]`, alone or followed by `:<port>` (case does not matter)."""
    if host is None:
        return False
    name = host.strip().lower()
    return any(name == loopback or (port is not None and name == f"{loopback}:{port}") for loopback in LOOPBACK_NAMES)


def _host(scope: Scope) -> str | None:
    values = [value for key, value in scope.get("headers", []) if key.lower() == b"host"]
    if len(values) != 1:
        return None  # none (HTTP/1.0) or two: not a request we can vouch for
    raw: bytes = values[0]
    try:
        return raw.decode("ascii")
    except UnicodeDecodeError:
        return None


def _port(scope: Scope) -> int | None:
    server = scope.get("server")
    return server[1] if server and len(server) > 1 else None
