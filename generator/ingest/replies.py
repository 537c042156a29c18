"""What the collector answers a browser: the thanks page's address and the refusal page, in the form's language.

The build writes `thanks/` (the site's language), `thanks/<language>/` for each other language a
client reads, and under each an `updated/` page (generator/render/public.py).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from generator.forms.fields import LANGUAGE_PARAMETER
from generator.texts import Texts, supported
from generator.translations import LANGUAGE_PATTERN

THANKS_FOLDER = re.compile(r"/thanks/([A-Za-z0-9-]+/)?$")  # thanks/ and thanks/<language>/, as built


def form_language(data_dir: Path, language: str) -> str | None:
    """The language a form named, when it is a language tag with texts in this site; else None."""
    if not re.fullmatch(LANGUAGE_PATTERN, language) or not supported(data_dir, language):
        return None
    return language


def updated_url(thanks: str) -> str:
    """The thanks page that says the earlier answers were replaced: `thanks/updated/`, or `?updated=1`."""
    if THANKS_FOLDER.search(thanks):
        return thanks + "updated/"
    return thanks + ("&" if "?" in thanks else "?") + "updated=1"


def in_language(thanks: str, language: str | None) -> str:
    """The thanks page in a language: `thanks/<language>/` (as built), or `?lang=<language>` on another address."""
    if language is None:
        return thanks
    if thanks.endswith("/thanks/"):
        return f"{thanks}{language}/"
    return thanks + ("&" if "?" in thanks else "?") + f"{LANGUAGE_PARAMETER}={language}"


def media_type(request: Request) -> str:
    """The request's Content-Type without its parameters, in lower case."""
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def wants_json(request: Request, kind: str) -> bool:
    """A JSON post, or a client that accepts JSON: answered in JSON."""
    return kind == "application/json" or "application/json" in request.headers.get("accept", "")


def refusal(request: Request, status: int, reason: str, message: str, texts: Texts, close: bool = False) -> Response:
    """A clear refusal: JSON for JSON clients, a small HTML page for a browser form (in the form's language)."""
    kind = media_type(request)
    headers = {"Connection": "close"} if close else {}
    if wants_json(request, kind):
        return JSONResponse({"ok": False, "reason": reason, "message": message}, status_code=status, headers=headers)
    title = html.escape(texts.plain("not_sent.title"))
    page = (
        f"<!doctype html><html lang=\"{html.escape(texts.language)}\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta name=\"robots\" content=\"noindex\"><title>{title}</title></head>"
        f"<body><main><h1>{title}</h1><p>{html.escape(message)}</p>"
        f"<p>{html.escape(texts.plain('not_sent.back'))}</p></main></body></html>"
    )
    return HTMLResponse(page, status_code=status, headers={
        "Content-Security-Policy": "default-src 'none'", "Cache-Control": "no-store", **headers})
