"""The response collector: a small ASGI app that takes survey forms and appends them to data/.

`POST /api/responses` accepts the survey form as `application/x-www-form-urlencoded`
(answered with `303 See Other` to the thanks page) or as a JSON object (answered in JSON).
Every POST that arrives is either appended or quarantined with its reason; a failure of
our own is answered `503` (try again), never `500`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import json
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from generator.forms.fields import (FORMSPREE_HONEYPOT_FIELD, FORMSPREE_NEXT_FIELD, HONEYPOT_FIELD, SHOWN_AT_FIELD,
                                    SURVEY_FIELD, TOKEN_FIELD)
from generator.ingest.append import data_lock
from generator.ingest.context import ContextCache
from generator.ingest.intake import IngestReport, Outcome, ingest
from generator.ingest.json_text import parse_json
from generator.ingest.quarantine import Rejected, write_quarantine
from generator.ingest.records import Limits, Submission

ENDPOINT = "/api/responses"
SOURCE = "collector"
KEPT_BODY_CHARS = 4096  # how much of an unreadable body the quarantine keeps

PUBLIC_MESSAGES = {
    "too_fast": "That was quicker than a person can fill in the form. Please go back, check your answers and send the form again.",
    "honeypot": "The form could not be accepted: a field meant to stay empty was filled in (browser autofill sometimes does this). Please go back and send it again.",
    "unknown_token": "This survey link is not valid any more. Please use the latest link you were sent.",
    "unknown_survey": "This survey does not exist (any more).",
    "empty": "No question was answered. Please go back and answer at least one question.",
    "too_large": "The form sent more data than a survey answer can hold.",
    "unsupported_media_type": "The form must be sent as application/x-www-form-urlencoded or application/json.",
    "bad_request": "The form data could not be read.",
}
DEFAULT_MESSAGE = "Some answers could not be accepted. Please go back, check your answers and send the form again."


@dataclass(frozen=True)
class CollectorConfig:
    """How the collector answers; None means "from site.yaml" (site.base_url)."""

    data_dir: Path
    thanks_url: str | None = None
    origin: str | None = None
    max_body_bytes: int = 64 * 1024
    max_fields: int = 200
    limits: Limits = field(default_factory=Limits)


class Collector:
    """The POST handler with its cached view of the data folder."""

    def __init__(self, config: CollectorConfig, on_accept: Callable[[], None] | None = None):
        self.config = config
        self.contexts = ContextCache(config.data_dir)
        self.on_accept = on_accept
        self._waiting: list[tuple[Submission, asyncio.Future[Outcome]]] = []
        self._writer: asyncio.Task | None = None

    async def handle(self, request: Request) -> Response:
        """Answer one request to the endpoint."""
        origin = self._allowed_origin(request)
        if request.method == "OPTIONS":
            return self._cors(Response(status_code=204, headers={"Allow": "POST, OPTIONS"}), origin, preflight=True)
        if request.method != "POST":
            return self._cors(JSONResponse({"ok": False, "error": "POST survey answers here; a GET records nothing"},
                                           status_code=405, headers={"Allow": "POST, OPTIONS"}), origin)
        try:
            response = await self._post(request)
        except Exception:  # noqa: BLE001 - the last line of defence: never a 500, never a lost record
            traceback.print_exc(file=sys.stderr)
            response = _answer(request, 503, "internal_error",
                               "The answers could not be saved right now. Please try again in a minute.")
        return self._cors(response, origin)

    async def _post(self, request: Request) -> Response:
        received = dt.datetime.now().astimezone()
        try:
            body = await _read_body(request, self.config.max_body_bytes)
        except ClientDisconnect:
            return Response(status_code=400)  # half a body is no submission, and nobody is waiting for an answer
        if body is None:
            await self._quarantine_raw(request, b"", "too_large",
                                       f"body over {self.config.max_body_bytes:,} bytes (not kept)", received)
            return _answer(request, 413, "too_large", PUBLIC_MESSAGES["too_large"])
        kind = _media_type(request)
        if kind not in ("application/x-www-form-urlencoded", "application/json"):
            await self._quarantine_raw(request, body, "unsupported_media_type", f"Content-Type '{kind[:80]}'", received)
            return _answer(request, 415, "unsupported_media_type", PUBLIC_MESSAGES["unsupported_media_type"])
        try:
            fields = _parse(body, kind, self.config.max_fields)
        except ValueError as exc:
            await self._quarantine_raw(request, body, "bad_request", str(exc), received)
            return _answer(request, 400, "bad_request", f"{PUBLIC_MESSAGES['bad_request']} ({exc})")
        submission = to_submission(fields)
        submission.received = received
        if kind == "application/json":
            submission.record = parse_json(body.decode("utf-8"))  # kept with its own types
        outcome = await self._store(submission)
        if outcome.status == "quarantined":
            code = outcome.reason.split(":")[0]
            status = 503 if code == "response_file_unreadable" else 422
            message = PUBLIC_MESSAGES.get(code, DEFAULT_MESSAGE) if status == 422 else \
                "The answers could not be saved right now; they were kept for the consultant to review."
            return _answer(request, status, outcome.reason, message)
        if outcome.status == "accepted" and self.on_accept is not None:
            self.on_accept()
        if _wants_json(request, kind):
            return JSONResponse({"ok": True, "status": outcome.status, "response_id": outcome.response_id,
                                 "updated": outcome.replaced},
                                status_code=201 if outcome.status == "accepted" else 200)
        return RedirectResponse(updated_url(self._thanks_url()) if outcome.replaced else self._thanks_url(), status_code=303)

    async def _store(self, submission: Submission) -> Outcome:
        """Hand the submission to the writer; wait for what became of it.

        Submissions that arrive while the writer is busy go in its next batch: one check
        and one atomic replacement for all of them, instead of one per request.
        """
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self._waiting.append((submission, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches())
        return await future

    async def _write_batches(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, []
            try:
                report = await anyio.to_thread.run_sync(self._ingest, [submission for submission, _ in batch])
            except Exception:  # noqa: BLE001 - one at a time, so only a failing one answers 503
                if len(batch) == 1:
                    report = None
                else:
                    self._waiting = batch[1:] + self._waiting
                    batch = batch[:1]
                    try:
                        report = await anyio.to_thread.run_sync(self._ingest, [batch[0][0]])
                    except Exception:  # noqa: BLE001
                        report = None
            if report is None:
                _, future = batch[0]
                if not future.done():
                    future.set_exception(RuntimeError("the response could not be stored"))
                continue
            for (_, future), outcome in zip(batch, report.outcomes):
                if not future.done():
                    future.set_result(outcome)

    def _ingest(self, submissions: list[Submission]) -> IngestReport:
        context = self.contexts.get()
        return ingest(context, submissions, limits=self.config.limits, require_answers=True)

    async def _quarantine_raw(self, request: Request, body: bytes, reason: str, detail: str, received: dt.datetime) -> None:
        """Keep a request we could not even read as a record."""
        record = {"content_type": request.headers.get("content-type", "")[:200],
                  "body": body[:KEPT_BODY_CHARS].decode("utf-8", errors="backslashreplace")}
        item = Rejected(SOURCE, reason, detail, record)

        def write() -> None:
            with data_lock(self.config.data_dir):
                write_quarantine(self.config.data_dir, [item], received)

        await anyio.to_thread.run_sync(write)

    def _settings_url(self) -> str | None:
        settings = self.contexts.get().settings
        return settings.site.base_url if settings else None

    def _thanks_url(self) -> str:
        if self.config.thanks_url:
            return self.config.thanks_url
        base = self._settings_url()
        return urljoin(base if base.endswith("/") else base + "/", "thanks/") if base else "/thanks/"

    def _allowed_origin(self, request: Request) -> str | None:
        sent = request.headers.get("origin")
        if not sent:
            return None
        try:
            allowed = self.config.origin or _origin_of(self._settings_url())
        except Exception:  # noqa: BLE001 - unreadable settings: no CORS, and the POST path reports the rest
            allowed = None
        return sent if allowed and sent == allowed else None

    @staticmethod
    def _cors(response: Response, origin: str | None, preflight: bool = False) -> Response:
        response.headers["Vary"] = "Origin"
        if origin is None:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
        if preflight:
            response.headers["Access-Control-Allow-Methods"] = "POST"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        return response


def collector_routes(config: CollectorConfig, on_accept: Callable[[], None] | None = None) -> list[Route]:
    """The collector's route, to mount in any Starlette app."""
    methods = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"]
    return [Route(ENDPOINT, Collector(config, on_accept).handle, methods=methods)]


def create_collector_app(config: CollectorConfig, on_accept: Callable[[], None] | None = None) -> Starlette:
    """The standalone collector (`rapport collect`)."""
    return Starlette(routes=collector_routes(config, on_accept))


def to_submission(fields: list[tuple[str, str]]) -> Submission:
    """The form's fields (survey, token, shown_at, honeypots, one per question id) as a Submission."""
    record: dict[str, Any] = {}
    for name, value in fields:
        if name in record:
            record[name] = (record[name] if isinstance(record[name], list) else [record[name]]) + [value]
        else:
            record[name] = value
    submission = Submission(SOURCE, record)
    honeypots: list[str] = []
    for name, value in fields:
        if name == SURVEY_FIELD:
            submission.survey = value
        elif name == TOKEN_FIELD:
            submission.token = value.strip()
        elif name == SHOWN_AT_FIELD:
            submission.shown_at = value
        elif name in (HONEYPOT_FIELD, FORMSPREE_HONEYPOT_FIELD):
            honeypots.append(value)
        elif name == FORMSPREE_NEXT_FIELD:
            continue
        else:
            submission.answers.setdefault(name, []).append(value)
    repeated = [name for name in (SURVEY_FIELD, TOKEN_FIELD, SHOWN_AT_FIELD) if isinstance(record.get(name), list)]
    if repeated:
        submission.problem = (f"repeated_field: {repeated[0]}", f"'{repeated[0]}' was sent more than once")
    submission.honeypot = "".join(honeypots)
    return submission


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is larger than `limit` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _media_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def _parse(body: bytes, kind: str, max_fields: int) -> list[tuple[str, str]]:
    """(name, value) pairs in the order sent; ValueError says what is wrong."""
    if kind == "application/json":
        try:
            data = parse_json(body.decode("utf-8"))  # Refused (a ValueError) says why
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object of field names and values")
        pairs: list[tuple[str, str]] = []
        for name, value in data.items():
            for item in value if isinstance(value, list) else [value]:
                pairs.append((name, _json_scalar(name, item)))
        if len(pairs) > max_fields:
            raise ValueError(f"more than {max_fields} fields")
        return pairs
    try:
        text = body.decode("ascii")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=max_fields)
    except UnicodeDecodeError:
        raise ValueError("form data is not URL-encoded UTF-8") from None
    except ValueError as exc:
        raise ValueError(str(exc)) from None


def _json_scalar(name: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        raise ValueError(f"'{name[:40]}': expected text or a whole number, not true/false")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    raise ValueError(f"'{name[:40]}': expected text, a whole number or a list of them")


def _wants_json(request: Request, kind: str) -> bool:
    return kind == "application/json" or "application/json" in request.headers.get("accept", "")


def updated_url(thanks: str) -> str:
    """The thanks page that says the earlier answers were replaced: `thanks/updated/`, or `?updated=1`."""
    if thanks.endswith("/thanks/"):
        return thanks + "updated/"
    return thanks + ("&" if "?" in thanks else "?") + "updated=1"


def _answer(request: Request, status: int, reason: str, message: str) -> Response:
    """A clear refusal: JSON for JSON clients, a small HTML page for a browser form."""
    kind = _media_type(request)
    if _wants_json(request, kind):
        return JSONResponse({"ok": False, "reason": reason, "message": message}, status_code=status)
    page = (
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        "<meta name=\"robots\" content=\"noindex\"><title>Your answers were not sent</title></head>"
        f"<body><main><h1>Your answers were not sent</h1><p>{html.escape(message)}</p>"
        "<p>Use your browser's Back button to return to the form.</p></main></body></html>"
    )
    return HTMLResponse(page, status_code=status, headers={
        "Content-Security-Policy": "default-src 'none'", "Cache-Control": "no-store"})


def _origin_of(url: str | None) -> str | None:
    """`https://example.github.io` for `https://example.github.io/rapport/`."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
