"""The response collector: a small ASGI app that takes survey forms and appends them to data/.

`POST /api/responses` accepts the survey form as `application/x-www-form-urlencoded`
(answered with `303 See Other` to the thanks page; in the language the form's `?lang=` names, as its refusal pages) or as a JSON object (answered in JSON).
Every POST that arrives is either appended or quarantined with its reason; a failure of
our own is answered `503` (try again), never `500`. What carries no answer (an empty body,
a form with every question blank) and what never arrives in time is refused and writes
nothing. The quarantine is bounded: once full, refusals are answered `503` and logged.
Rate limits, timeouts and the connection cap sit around this app (`generator/ingest/guard.py`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

import anyio
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from generator.forms.fields import (
    FORMSPREE_HONEYPOT_FIELD,
    FORMSPREE_NEXT_FIELD,
    HONEYPOT_FIELD,
    LANGUAGE_PARAMETER,
    SHOWN_AT_FIELD,
    SURVEY_FIELD,
    TOKEN_FIELD,
)
from generator.ingest.append import data_lock
from generator.ingest.context import ContextCache
from generator.ingest.intake import IngestReport, KnownRows, Outcome, ingest
from generator.ingest.json_text import parse_json
from generator.ingest.quarantine import QuarantineBound, QuarantineStore, Rejected
from generator.ingest.records import Limits, Submission
from generator.ingest.replies import form_language, in_language, media_type, refusal, updated_url, wants_json
from generator.load.held import QUARANTINE_FOLDER
from generator.texts import FALLBACK, Texts, site_texts

ENDPOINT = "/api/responses"
SOURCE = "collector"
KEPT_BODY_CHARS = 4096  # how much of an unreadable body the quarantine keeps
FULL_LOG_EVERY = 60.0  # seconds between two log lines saying the quarantine is full

# what a client reads when answers are refused: texts `not_sent.<code>` in the site's language
# (generator/texts/), `not_sent.other` for any other reason
PUBLIC_MESSAGES = ("too_fast", "honeypot", "unknown_token", "bad_token", "unknown_survey", "empty", "too_large",
                   "unsupported_media_type", "bad_request", "timeout")


@dataclass(frozen=True)
class CollectorConfig:
    """How the collector answers; None means "from site.yaml" (site.base_url)."""

    data_dir: Path
    thanks_url: str | None = None
    origin: str | None = None
    max_body_bytes: int = 64 * 1024
    max_fields: int = 200
    limits: Limits = field(default_factory=Limits)
    body_timeout: float = 20.0  # seconds for the whole body: a phone on a slow link sends 64 KB in less
    quarantine: QuarantineBound = field(default_factory=lambda: QuarantineBound(max_bytes=10 * 1024 * 1024, max_entries=10_000))


class Collector:
    """The POST handler with its cached view of the data folder."""

    def __init__(self, config: CollectorConfig, on_accept: Callable[[], None] | None = None):
        self.config = config
        self.contexts = ContextCache(config.data_dir)
        self.quarantine = QuarantineStore(config.data_dir, config.quarantine)
        self.known = KnownRows()
        self.on_accept = on_accept
        self._full_logged_at = -FULL_LOG_EVERY
        self._waiting: list[tuple[Submission, asyncio.Future[Outcome]]] = []
        self._writer: asyncio.Task[None] | None = None

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
        except Exception:
            traceback.print_exc(file=sys.stderr)
            texts = self._texts(request)
            response = refusal(request, 503, "internal_error", texts.plain("not_sent.try_again"), texts)
        return self._cors(response, origin)

    async def _post(self, request: Request) -> Response:
        received = dt.datetime.now().astimezone()
        texts = self._texts(request)
        try:
            with anyio.fail_after(self.config.body_timeout):
                body = await _read_body(request, self.config.max_body_bytes)
        except ClientDisconnect:
            return Response(status_code=400)  # half a body is no submission, and nobody is waiting for an answer
        except TimeoutError:
            return refusal(request, 408, "timeout", texts.plain("not_sent.timeout"), texts, close=True)
        if body is None:
            if not await self._quarantine_raw(request, b"", "too_large",
                                              f"body over {self.config.max_body_bytes:,} bytes (not kept)", received):
                return self._full(request)
            return refusal(request, 413, "too_large", texts.plain("not_sent.too_large"), texts)
        if not body.strip():
            return refusal(request, 400, "empty", texts.plain("not_sent.empty"), texts)  # nothing was sent, so nothing is kept
        kind = media_type(request)
        if kind not in ("application/x-www-form-urlencoded", "application/json"):
            if not await self._quarantine_raw(request, body, "unsupported_media_type", f"Content-Type '{kind[:80]}'", received):
                return self._full(request)
            return refusal(request, 415, "unsupported_media_type", texts.plain("not_sent.unsupported_media_type"), texts)
        try:
            fields, record = _parse(body, kind, self.config.max_fields)
        except ValueError as exc:
            if not await self._quarantine_raw(request, body, "bad_request", str(exc), received):
                return self._full(request)
            return refusal(request, 400, "bad_request", f"{texts.plain('not_sent.bad_request')} ({exc})", texts)
        submission = to_submission(fields)
        submission.received = received
        if record is not None:
            submission.record = record  # a JSON post is kept with its own types
        if not any(value.strip() for values in submission.answers.values() for value in values):
            return refusal(request, 422, "empty", texts.plain("not_sent.empty"), texts)  # no answer: nothing worth keeping
        outcome = await self._store(submission)
        if outcome.status == "quarantine_full":
            return self._full(request)
        if outcome.status == "quarantined":
            code = outcome.reason.split(":")[0]
            status = 503 if code == "response_file_unreadable" else 422
            known = code if code in PUBLIC_MESSAGES else "other"
            message = texts.plain(f"not_sent.{known}" if status == 422 else "not_sent.kept")
            return refusal(request, status, outcome.reason, message, texts)
        if outcome.status == "accepted" and self.on_accept is not None:
            self.on_accept()
        if wants_json(request, kind):
            return JSONResponse({"ok": True, "status": outcome.status, "response_id": outcome.response_id,
                                 "updated": outcome.replaced},
                                status_code=201 if outcome.status == "accepted" else 200)
        thanks = self._thanks_url(self._language(request))  # in the page's language
        return RedirectResponse(updated_url(thanks) if outcome.replaced else thanks, status_code=303)

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
            await self._write_batch(batch)

    async def _write_batch(self, batch: list[tuple[Submission, asyncio.Future[Outcome]]]) -> None:
        """Store a batch; if that fails, store each half on its own, down to the one that fails.

        One submission that breaks the intake costs its batch about 2·log₂(n) attempts, and
        only that submission is answered 503.
        """
        try:
            report = await anyio.to_thread.run_sync(self._ingest, [submission for submission, _ in batch])
        except Exception:
            if len(batch) == 1:
                traceback.print_exc(file=sys.stderr)
                _, future = batch[0]
                if not future.done():
                    future.set_exception(RuntimeError("the response could not be stored"))
                return
            middle = len(batch) // 2
            await self._write_batch(batch[:middle])
            await self._write_batch(batch[middle:])
            return
        for (_, future), outcome in zip(batch, report.outcomes):
            if not future.done():
                future.set_result(outcome)

    def _ingest(self, submissions: list[Submission]) -> IngestReport:
        context = self.contexts.get()
        return ingest(context, submissions, limits=self.config.limits, require_answers=True, quarantine=self.quarantine,
                      known=self.known)

    def _full(self, request: Request) -> Response:
        """The quarantine is full: refuse (503) and say so in the log, at most once a minute."""
        now = time.monotonic()
        if now - self._full_logged_at >= FULL_LOG_EVERY:
            self._full_logged_at = now
            bound = self.config.quarantine
            print(f"{dt.datetime.now().astimezone().isoformat(timespec='seconds')} collector: the quarantine "
                  f"({self.config.data_dir / QUARANTINE_FOLDER}/{SOURCE}-*.csv) is full ({bound.max_entries:,} entries "
                  f"or {bound.max_bytes:,} bytes): refused posts are answered 503 and not kept; review and move "
                  "its files to make room", file=sys.stderr, flush=True)
        texts = self._texts(request)
        return refusal(request, 503, "quarantine_full", texts.plain("not_sent.full"), texts)

    async def _quarantine_raw(self, request: Request, body: bytes, reason: str, detail: str, received: dt.datetime) -> bool:
        """Keep a request we could not even read as a record; False when the quarantine is full."""
        record = {"content_type": request.headers.get("content-type", "")[:200],
                  "body": body[:KEPT_BODY_CHARS].decode("utf-8", errors="backslashreplace")}
        item = Rejected(SOURCE, reason, detail, record)

        def write() -> bool:
            with data_lock(self.config.data_dir):
                return not self.quarantine.write([item], received).full

        return await anyio.to_thread.run_sync(write)

    def _site_language(self) -> str:
        """The site's language; English when the settings cannot be read (that must not stop a refusal page)."""
        try:
            settings = self.contexts.get().settings
        except Exception:
            settings = None
        return settings.site.language if settings else FALLBACK

    def _texts(self, request: Request) -> Texts:
        """The texts in the form's language, else the site's."""
        return site_texts(self.config.data_dir, self._language(request) or self._site_language())

    def _language(self, request: Request) -> str | None:
        """The language the form's page names (`?lang=de`) when it is not the site's and has texts; else None."""
        language = form_language(self.config.data_dir, request.query_params.get(LANGUAGE_PARAMETER, ""))
        return None if language and language.lower() == self._site_language().lower() else language

    def _base_url(self) -> str | None:
        settings = self.contexts.get().settings
        return settings.site.base_url if settings else None

    def _thanks_url(self, language: str | None = None) -> str:
        if not (thanks := self.config.thanks_url):
            base = self._base_url()
            thanks = urljoin(base if base.endswith("/") else base + "/", "thanks/") if base else "/thanks/"
        return in_language(thanks, language)

    def _allowed_origin(self, request: Request) -> str | None:
        sent = request.headers.get("origin")
        if not sent:
            return None
        try:
            allowed = self.config.origin or _origin_of(self._base_url())
        except Exception:
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


def collector_routes(config: CollectorConfig, on_accept: Callable[[], None] | None = None) -> list[BaseRoute]:
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


def _parse(body: bytes, kind: str, max_fields: int) -> tuple[list[tuple[str, str]], Any]:
    """(name, value) pairs in the order sent, and the JSON object if JSON; ValueError says what is wrong."""
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
        return pairs, data
    try:
        text = body.decode("ascii")
        return parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=max_fields), None
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


def _origin_of(url: str | None) -> str | None:
    """`https://example.github.io` for `https://example.github.io/rapport/`."""
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None
