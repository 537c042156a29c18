"""Encrypted dashboards for a public host: every page of `dashboard/` sealed into `public/dashboard/`.

Layout of `public/dashboard/`:

- `index.html` — the overview, sealed inside the unlock page (the address to bookmark);
- `c/<28 digits>.html` — every other page and every export (CSV, .ics, …), each sealed inside
  its own unlock page; the name is an HMAC of the original path, so it reveals no client;
- `assets/` — stylesheets, scripts and fonts of the dashboards, in plain text (they are code,
  not client data; the leak gate still reads them), plus `unlock.js` and `unlock.css`.

Each unlock page carries its ciphertext inline (no fetch, so it also opens from disk), written
in `crypto.SYMBOLS`: nothing in an unlock page that comes from the data contains a letter, so
no client's name can be read in it, even by chance. After the passphrase, a page replaces the unlock page with its decrypted HTML, so its own scripts and
charts run as if loaded directly; an export becomes a download made in the browser. Relative
links inside a page are rewritten at build time to the opaque names.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

import jinja2

from generator.errors import RapportError
from generator.files import BuiltFile, OutputFile
from generator.model import Settings
from generator.templates import template_source

if TYPE_CHECKING:
    from generator.safety.crypto import ContentKey, SealedKey

SOURCE = "dashboard/"
TARGET = "public/dashboard/"
ASSET_SUFFIXES = (
    ".css", ".js", ".mjs", ".woff", ".woff2", ".ttf", ".otf", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".ico",
)
UNLOCK_ASSETS = ("unlock.js", "unlock.css")
DEFAULT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
CSP_META = re.compile(
    r"""<meta\s+http-equiv=["']?Content-Security-Policy["']?\s+content=(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE,
)
CSP_META_TAG = re.compile(r"<meta\s+http-equiv=[\"']?Content-Security-Policy[^>]*>\n?", re.IGNORECASE)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
DOWNLOAD_ATTRIBUTE = re.compile(r"""\sdownload(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?(?=[\s/>])""", re.IGNORECASE)
LINK_ATTRIBUTE = re.compile(r"""(\s(?:href|src)\s*=\s*)(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
HAS_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")
# a hash or nonce source is base64 computed from the page, which the unlock page would show in the clear
DERIVED_SOURCE = re.compile(r"'(?:sha256|sha384|sha512|nonce)-", re.IGNORECASE)
# 3: compressed, then padded to a size bucket, then encrypted; bytes in crypto.SYMBOLS; unlock.js reads only this one
ENVELOPE_VERSION = 3


def is_plain_asset(path: str) -> bool:
    """Code the dashboards load (`dashboard/assets/*.css|js|…`), published without encryption."""
    return path.startswith(SOURCE + "assets/") and path.lower().endswith(ASSET_SUFFIXES)


def published_path(path: str, content: ContentKey) -> str:
    """Where a `dashboard/…` file goes under `public/`."""
    from generator.safety.crypto import opaque_name  # the cryptography library: only with a passphrase set

    if is_plain_asset(path):
        return "public/" + path
    if path == SOURCE + "index.html":
        return TARGET + "index.html"
    return f"{TARGET}c/{opaque_name(content, path)}.html"


def encrypt_dashboards(
    files: Iterable[BuiltFile], sealed_key: SealedKey, content: ContentKey,
    environment: jinja2.Environment, settings: Settings,
) -> list[OutputFile]:
    """The public, encrypted copy of every file under `dashboard/`."""
    from generator.safety.crypto import encode, seal_files  # the cryptography library: only with a passphrase set

    dashboard = [item for item in files if item.path.startswith(SOURCE)]
    layout = {item.path: published_path(item.path, content) for item in dashboard}
    if len(set(layout.values())) != len(layout):
        raise RapportError("two dashboard files got the same published name; rename one of them")
    template = environment.get_template("unlock.html")
    published: list[OutputFile] = []
    pages: list[tuple[str, str, str, bytes]] = []  # target, kind, policy, plaintext
    for item in dashboard:
        target = layout[item.path]
        if is_plain_asset(item.path):
            published.append(OutputFile(target, item.content))
            continue
        if item.path.endswith(".html"):
            text = item.content.decode("utf-8")
            kind, csp = "page", page_csp(item.path, text)
            # the unlock page carries the same policy, and it stays in force: once is enough
            plaintext = CSP_META_TAG.sub("", rewrite_links(text, item.path, target, layout), count=1).encode("utf-8")
        else:
            # the file name may name a client: it travels inside the ciphertext, before the first newline
            kind, csp = "download", DEFAULT_CSP
            plaintext = posixpath.basename(item.path).encode("utf-8") + b"\n" + item.content
        pages.append((target, kind, csp, plaintext))
    # sealed together: one changed page gives every page a new nonce, and so new bytes
    sealed_files = seal_files(content, {target.removeprefix("public/"): plaintext for target, _, _, plaintext in pages})
    for target, kind, csp, _ in pages:
        sealed = sealed_files[target.removeprefix("public/")]
        envelope = {
            "v": ENVELOPE_VERSION, "kind": kind, "kdf": "PBKDF2-SHA256", "zip": "deflate", "pad": "length-bucket",
            "key": sealed_key.as_published(), "nonce": encode(sealed.nonce), "data": encode(sealed.ciphertext),
        }
        root = posixpath.relpath(TARGET, posixpath.dirname(target) + "/")
        root = "" if root == "." else root + "/"
        shell = template.render(business=settings.business, site=settings.site, csp=csp, root=root, kind=kind,
                                envelope=envelope)
        published.append(OutputFile(target, shell.encode("utf-8")))
    loader = environment.loader
    assert loader is not None, "make_environment always sets a loader"
    for name in UNLOCK_ASSETS:
        published.append(OutputFile(f"{TARGET}assets/{name}", template_source(environment, name).encode("utf-8")))
    return published


def page_csp(path: str, text: str) -> str:
    """The page's own Content-Security-Policy, which its unlock page must carry too.

    A policy set by `<meta>` stays in force when the decrypted page replaces the unlock page, so
    the unlock page uses the same one: not looser (that would weaken the page) and not stricter
    (that would break its charts).
    """
    found = CSP_META.search(text)
    policy = html.unescape(found.group(1) or found.group(2) or "") if found else DEFAULT_CSP
    directives = {part.split()[0].lower(): part.split()[1:] for part in policy.split(";") if part.split()}
    scripts = directives.get("script-src", directives.get("default-src", []))
    if "'self'" not in scripts:
        raise RapportError(f"{path}: its Content-Security-Policy does not allow scripts from 'self', which its unlock page needs")
    if DERIVED_SOURCE.search(policy):
        # its letters would be published in the clear, and could spell a name by chance
        raise RapportError(f"{path}: its Content-Security-Policy has a hash or nonce source, which its public unlock page "
                           "would have to show; dashboards load their scripts and styles from files instead")
    return policy


def rewrite_links(text: str, source: str, target: str, layout: dict[str, str]) -> str:
    """Point relative `href`/`src` links of a page at where their targets are published.

    A link to an export loses its `download` attribute: the browser must open the export's
    unlock page, which then makes the real download.
    """

    def in_tag(tag: re.Match[str]) -> str:
        exports: list[bool] = []

        def replace(match: re.Match[str]) -> str:
            quoted = match.group(2) if match.group(2) is not None else match.group(3)
            url = html.unescape(quoted)
            if not url or url.startswith(("#", "/", "?")) or HAS_SCHEME.match(url):
                return match.group(0)
            cut = min((index for index in (url.find("?"), url.find("#")) if index != -1), default=len(url))
            resolved = _resolve(url[:cut], source)
            if resolved in layout:
                destination = layout[resolved]
                exports.append(is_export(resolved))
            elif resolved.startswith("public/"):
                destination = resolved  # a dashboard link to a public page, e.g. a client's survey link
            else:
                return match.group(0)
            moved = posixpath.relpath(destination, posixpath.dirname(target)) + url[cut:]
            return f'{match.group(1)}"{html.escape(moved, quote=True)}"'

        rewritten = LINK_ATTRIBUTE.sub(replace, tag.group(0))
        return DOWNLOAD_ATTRIBUTE.sub("", rewritten) if any(exports) else rewritten

    return TAG.sub(in_tag, text)


def is_export(path: str) -> bool:
    """A dashboard file that is neither a page nor an asset: a CSV, .ics, … made into a download."""
    return path.startswith(SOURCE) and not path.endswith(".html") and not is_plain_asset(path)


def _resolve(path: str, source: str) -> str:
    """The output path that a relative link path on the page at `source` points to."""
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(source), path))
    if path.endswith("/") or path in ("", ".", ".."):
        resolved += "/index.html"
    return resolved
