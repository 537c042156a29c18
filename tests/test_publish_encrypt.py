"""How dashboards are laid out and sealed for the public folder: names, links, policies."""

from __future__ import annotations

import json
import re

import pytest

from generator.errors import RapportError
from generator.files import OutputFile
from generator.model import Settings
from generator.safety.crypto import ContentKey, SealedFile, decode, opaque_name, open_file, seal_key
from generator.safety.encrypt import encrypt_dashboards, rewrite_links
from generator.templates import make_environment
from tests.test_publish_support import PASSPHRASE

CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
LAYOUT = {
    "dashboard/index.html": "public/dashboard/index.html",
    "dashboard/clients/acme.html": "public/dashboard/c/aaaa.html",
    "dashboard/surveys/review/index.html": "public/dashboard/c/bbbb.html",
    "dashboard/exports/clients.csv": "public/dashboard/c/cccc.html",
    "dashboard/assets/dashboard.css": "public/dashboard/assets/dashboard.css",
}


@pytest.mark.parametrize(("source", "written", "expected"), [
    ("dashboard/index.html", '<a href="clients/acme.html">', '<a href="c/aaaa.html">'),
    ("dashboard/index.html", "<a href='clients/acme.html#notes'>", '<a href="c/aaaa.html#notes">'),
    ("dashboard/index.html", '<a href="surveys/review/">', '<a href="c/bbbb.html">'),
    ("dashboard/index.html", '<a class="x" href="exports/clients.csv" download>CSV</a>', '<a class="x" href="c/cccc.html">CSV</a>'),
    ("dashboard/index.html", '<a href="exports/clients.csv" download="clients.csv">', '<a href="c/cccc.html">'),
    ("dashboard/clients/acme.html", '<a href="../index.html">', '<a href="../index.html">'),
    ("dashboard/clients/acme.html", '<link rel="stylesheet" href="../assets/dashboard.css">', '<link rel="stylesheet" href="../assets/dashboard.css">'),
    ("dashboard/surveys/review/index.html", '<a href="../../clients/acme.html?x=1&amp;y=2">', '<a href="aaaa.html?x=1&amp;y=2">'),
    ("dashboard/surveys/review/index.html", '<script src="../../assets/dashboard.css" defer></script>', '<script src="../assets/dashboard.css" defer></script>'),
    ("dashboard/clients/acme.html", '<a href="../../public/survey/TOKEN/">', '<a href="../../survey/TOKEN/index.html">'),
    ("dashboard/index.html", '<a href="https://example.com/x.html">', '<a href="https://example.com/x.html">'),
    ("dashboard/index.html", '<a href="mailto:dana@acme.example">', '<a href="mailto:dana@acme.example">'),
    ("dashboard/index.html", '<a href="#top">', '<a href="#top">'),
    ("dashboard/index.html", '<a href="missing.html">', '<a href="missing.html">'),
    ("dashboard/index.html", '<div data-href="clients/acme.html">', '<div data-href="clients/acme.html">'),
])
def test_links_point_at_the_published_names(source: str, written: str, expected: str) -> None:
    assert rewrite_links(written, source, LAYOUT[source], LAYOUT) == expected


def page(title: str, body: str, csp: str = CSP) -> bytes:
    return (f'<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="{csp}">'
            f"<title>{title}</title></head><body>{body}</body></html>").encode()


def seal(files: list[OutputFile]) -> tuple[ContentKey, dict[str, OutputFile]]:
    content = ContentKey.generate()
    published = encrypt_dashboards(files, seal_key(content, PASSPHRASE, 600_000), content, make_environment(),
                                   Settings(business={"name": "Test IT"}))
    return content, {item.path: item for item in published}


def envelope_of(shell: str) -> dict:
    return json.loads(re.search(r'id="rapport-sealed" data-root="[^"]*">(.*?)</script>', shell, re.DOTALL).group(1))


def test_layout_names_and_sealed_contents() -> None:
    files = [OutputFile("dashboard/index.html", page("Overview", '<a href="clients/acme-dental.html">Acme Dental</a>')),
             OutputFile("dashboard/clients/acme-dental.html", page("Acme Dental", "<h1>Acme Dental</h1>")),
             OutputFile("dashboard/exports/acme-dental.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
             OutputFile("dashboard/assets/dashboard.css", b"main{max-width:72rem}"),
             OutputFile("public/index.html", b"<p>public</p>")]
    content, published = seal(files)
    client_name = f"public/dashboard/c/{opaque_name(content, 'dashboard/clients/acme-dental.html')}.html"
    export_name = f"public/dashboard/c/{opaque_name(content, 'dashboard/exports/acme-dental.ics')}.html"
    assert sorted(published) == sorted([
        "public/dashboard/index.html", client_name, export_name, "public/dashboard/assets/dashboard.css",
        "public/dashboard/assets/unlock.js", "public/dashboard/assets/unlock.css"])
    assert published["public/dashboard/assets/dashboard.css"].content == b"main{max-width:72rem}"
    assert re.fullmatch(r"public/dashboard/c/[0-9]{28}\.html", client_name)
    for path in ("public/dashboard/index.html", client_name, export_name):
        shell = published[path].content.decode()
        assert "acme" not in shell.casefold()
        envelope = envelope_of(shell)
        assert envelope["v"] == 3 and envelope["zip"] == "deflate" and envelope["pad"] == "length-bucket"
        for value in (envelope["data"], envelope["nonce"], *(envelope["key"][name] for name in ("salt", "nonce", "sealed"))):
            assert value and not re.search(r"[^!#$()*+,\-.:;=?@^]", value)  # no letter, digit, space or markup
        plain = open_file(content, path.removeprefix("public/"), SealedFile(decode(envelope["nonce"]), decode(envelope["data"])))
        if path == export_name:
            assert envelope["kind"] == "download" and plain == b"acme-dental.ics\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
        else:
            assert envelope["kind"] == "page" and b"Content-Security-Policy" not in plain  # the unlock page carries it
        assert '<meta name="referrer" content="no-referrer">' in shell and 'content="noindex, nofollow"' in shell
    overview = published["public/dashboard/index.html"].content.decode()
    assert "default-src &#39;none&#39;; style-src &#39;self&#39;" in overview  # the page's own policy
    assert 'src="assets/unlock.js"' in overview and 'src="../assets/unlock.js"' in published[client_name].content.decode()


def test_a_page_whose_policy_forbids_own_scripts_cannot_be_unlocked() -> None:
    files = [OutputFile("dashboard/index.html", page("Overview", "", csp="default-src 'none'; script-src 'none'"))]
    with pytest.raises(RapportError, match=r"dashboard/index.html: its Content-Security-Policy does not allow scripts from 'self'"):
        seal(files)


@pytest.mark.parametrize("source", ["'sha256-QWNtZSBEZW50YWwgR3JvdXAgaXMgYSBjbGllbnQ='", "'nonce-QWNtZQ'"])
def test_a_policy_with_a_hash_or_nonce_is_refused_as_its_letters_would_be_public(source: str) -> None:
    files = [OutputFile("dashboard/index.html", page("Overview", "", csp=f"default-src 'none'; script-src 'self' {source}"))]
    with pytest.raises(RapportError, match=r"dashboard/index.html: its Content-Security-Policy has a hash or nonce source"):
        seal(files)


def test_pages_are_compressed_before_encryption_and_the_same_page_gives_the_same_bytes() -> None:
    rows = "".join(f"<tr><td>Client {number}</td><td>{number % 7}</td></tr>" for number in range(2000))
    files = [OutputFile("dashboard/index.html", page("Overview", f"<table>{rows}</table>")),
             OutputFile("dashboard/exports/clients.csv", "".join(f"client-{n},{n % 7}\r\n" for n in range(2000)).encode())]
    content = ContentKey.generate()
    sealed_key = seal_key(content, PASSPHRASE, 600_000)
    environment, settings = make_environment(), Settings(business={"name": "Test IT"})
    once = encrypt_dashboards(files, sealed_key, content, environment, settings)
    assert encrypt_dashboards(files, sealed_key, content, environment, settings) == once  # no churn
    for source, published in zip(files, (item for item in once if "/assets/" not in item.path), strict=True):
        data = decode(envelope_of(published.content.decode())["data"])
        assert len(data) < len(source.content) / 2  # 5-10x smaller compressed; the size bucket at most doubles it
