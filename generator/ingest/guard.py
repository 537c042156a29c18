"""What keeps hostile traffic from starving the collector: rate limits, a header timeout, a connection cap.

Around the ASGI app, `RateLimit` gives each client address a token bucket for the paths it
guards (a refused post is answered 429 and writes nothing). Below it, `guarded_protocol`
is uvicorn's own h11 protocol with two additions: a connection must finish its request
headers within `header_timeout` seconds (else it is closed), and when `max_connections`
are open a new connection makes room by closing the oldest one still waiting for its
headers, so clients that trickle bytes can never hold every slot. `server_config` puts
both together with uvicorn's own limits.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import h11
import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True)
class Guard:
    """The limits a collector runs under; `rapport collect` and `rapport serve` use these defaults."""

    posts_per_minute: float = 30.0  # per client address; 0 turns the rate limit off
    burst: int = 30                 # posts an address may send at once (an office behind one router)
    header_timeout: float = 10.0    # seconds from connecting (or the last answer) to complete request headers
    max_connections: int = 200      # open connections; past it the oldest one without headers is closed
    keep_alive: int = 5             # seconds an idle kept-alive connection stays open
    max_addresses: int = 10_000     # client addresses whose buckets are remembered (least recent forgotten)


class RateLimit:
    """Token buckets per client address for the given paths; over the limit is 429, nothing else happens."""

    def __init__(self, app: ASGIApp, paths: tuple[str, ...], guard: Guard,
                 clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.paths = paths
        self.rate = guard.posts_per_minute / 60.0
        self.burst = float(guard.burst)
        self.max_addresses = guard.max_addresses
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # address → (tokens, when)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, or answer 429 when its address has no token left."""
        if self.rate <= 0 or scope["type"] != "http" or scope.get("method") != "POST" or scope.get("path") not in self.paths:
            await self.app(scope, receive, send)
            return
        address = (scope.get("client") or ("unknown", 0))[0]
        wait = self._take(address)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        body = (b'{"ok": false, "reason": "rate_limited", "message": "Too many forms were sent from this address. '
                b'Please wait a minute and send it again."}')
        await send({"type": "http.response.start", "status": 429, "headers": [
            (b"content-type", b"application/json"), (b"retry-after", str(math.ceil(wait)).encode()),
            (b"content-length", str(len(body)).encode()), (b"cache-control", b"no-store")]})
        await send({"type": "http.response.body", "body": body})

    def _take(self, address: str) -> float:
        """Take a token for the address: 0 when it had one, else the seconds until it will."""
        now = self.clock()
        tokens, then = self._buckets.pop(address, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if tokens >= 1:
            tokens -= 1
            wait = 0.0
        else:
            wait = (1 - tokens) / self.rate
        self._buckets[address] = (tokens, now)
        while len(self._buckets) > self.max_addresses:
            self._buckets.popitem(last=False)
        return wait


def guarded_protocol(guard: Guard) -> type[H11Protocol]:
    """uvicorn's h11 protocol with a header timeout and a connection cap that evicts slow clients."""

    class GuardedH11Protocol(H11Protocol):
        """One connection: closed when its headers do not arrive in time, or to make room."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.waiting_since = time.monotonic()
            self.header_timer: asyncio.TimerHandle | None = None
            self._arm_header_timer()
            if len(self.connections) > guard.max_connections:
                self._make_room()

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if self.conn.their_state is not h11.IDLE:
                self._disarm_header_timer()  # the headers are in: the app's own body timeout takes over

        def on_response_complete(self) -> None:
            super().on_response_complete()
            self.waiting_since = time.monotonic()
            self._arm_header_timer()  # the next request on this connection must come in time too

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm_header_timer()
            super().connection_lost(exc)

        def waiting_for_headers(self) -> bool:
            return self.header_timer is not None and not self.transport.is_closing()

        def _arm_header_timer(self) -> None:
            self._disarm_header_timer()
            self.header_timer = self.loop.call_later(guard.header_timeout, self._headers_too_slow)

        def _disarm_header_timer(self) -> None:
            timer = getattr(self, "header_timer", None)
            if timer is not None:
                timer.cancel()
                self.header_timer = None

        def _headers_too_slow(self) -> None:
            self.header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def _make_room(self) -> None:
            """Close the connection that has waited longest for its headers (this one, if no other)."""
            waiting = [c for c in self.connections if isinstance(c, GuardedH11Protocol) and c.waiting_for_headers()]
            oldest = min(waiting, key=lambda c: c.waiting_since, default=self)
            oldest._disarm_header_timer()
            oldest.transport.close()

    return GuardedH11Protocol


def server_config(app: ASGIApp, guard: Guard, **options: Any) -> uvicorn.Config:
    """uvicorn's config for a guarded server (pass host/port or use `Server.run(sockets=…)`)."""
    return uvicorn.Config(
        app, http=guarded_protocol(guard), timeout_keep_alive=guard.keep_alive,
        # requests in progress (not connections) past this get uvicorn's own 503
        limit_concurrency=guard.max_connections * 2, h11_max_incomplete_event_size=16 * 1024,
        log_level="warning", server_header=False, **options)
