"""Encrypted dashboards: a publish does not tell which page changed, and a "Lock" button forgets the key (Chromium).

Issue 16: an observer of the public branch could tell which client's encrypted page changed in
each publish (deterministic encryption, sizes tracking content), and the unlocked key stayed
in the tab with no way to drop it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from generator.build import build_site
from generator.files import OutputFile
from generator.model import Settings
from generator.safety.crypto import PAD_MIN, ContentKey, SealedFile, bucket, compress, decode, open_file, seal_key
from generator.safety.encrypt import encrypt_dashboards
from generator.templates import make_environment
from tests.conftest import serve_folder
from tests.test_publish_browser import envelope_of, open_dashboard
from tests.test_publish_encrypt import envelope_of as envelope_in
from tests.test_publish_support import CANARIES, PASSPHRASE, canary_portfolio, secrets_env  # noqa: F401 - a fixture

CSP = "default-src 'none'; script-src 'self'; style-src 'self'"


def page(title: str, body: str) -> bytes:
    """A minimal dashboard page with its own policy."""
    return (f'<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>").encode()


def sealed_pages(files: list[OutputFile], content: ContentKey) -> dict[str, SealedFile]:
    """Published path → the nonce and ciphertext its unlock page carries."""
    published = encrypt_dashboards(files, seal_key(content, PASSPHRASE, 600_000), content, make_environment(),
                                   Settings(business={"name": "Test IT"}))
    envelopes = {item.path: envelope_in(item.content.decode()) for item in published if "/assets/" not in item.path}
    return {path: SealedFile(decode(envelope["nonce"]), decode(envelope["data"])) for path, envelope in envelopes.items()}


def test_sizes_are_buckets_not_content_lengths() -> None:
    assert [bucket(size) for size in (1, 2048, 2049, 5000, 70_000)] == [PAD_MIN, 2048, 4096, 8192, 131_072]
    content = ContentKey.generate()
    # two client pages whose compressed sizes differ by thousands of bytes (hex digests barely compress)
    files = [OutputFile(f"dashboard/clients/{name}.html",
                        page(name, "".join(f"<p>{hashlib.sha256(f'{name}{n}'.encode()).hexdigest()}</p>" for n in range(count))))
             for name, count in (("short", 300), ("longer", 400))]
    compressed = [len(compress(item.content)) for item in files]
    assert compressed[1] - compressed[0] > 2000
    sizes = {path: len(sealed.ciphertext) for path, sealed in sealed_pages(files, content).items()}
    assert list(sizes.values()) == [16384 + 16] * 2, (compressed, sizes)


def test_one_changed_page_changes_every_ciphertext_and_no_change_changes_none() -> None:
    content = ContentKey.generate()
    files = [OutputFile("dashboard/index.html", page("Overview", "<p>3 clients</p>"))] + [
        OutputFile(f"dashboard/clients/client-{n}.html", page(f"Client {n}", f"<p>last visit 2026-11-0{n}</p>")) for n in (1, 2, 3)]
    first = sealed_pages(files, content)
    assert sealed_pages(files, content) == first, "the same build gives the same bytes"
    changed = [*files[:2], OutputFile("dashboard/clients/client-2.html", page("Client 2", "<p>last visit 2026-11-29</p>")),
               files[3]]
    second = sealed_pages(changed, content)
    assert first.keys() == second.keys()
    assert all(first[path].ciphertext != second[path].ciphertext for path in first), "every page is re-encrypted"
    assert all(first[path].nonce != second[path].nonce for path in first)
    assert {path: len(item.ciphertext) for path, item in first.items()} == \
           {path: len(item.ciphertext) for path, item in second.items()}
    # and each still opens to its own page
    assert b"<h1>Overview</h1>" in open_file(content, "dashboard/index.html", second["public/dashboard/index.html"])


@pytest.fixture
def built(make_portfolio, tmp_path: Path, secrets_env: None) -> Path:
    out = tmp_path / "output"
    build_site(canary_portfolio(make_portfolio), out)
    return out


def test_lock_forgets_the_key_and_the_pages_ask_again(page, built: Path) -> None:
    overview = built / "public" / "dashboard" / "index.html"
    key = envelope_of(overview)["key"]
    with serve_folder(built / "public") as base:
        open_dashboard(page, base + "dashboard/index.html")
        assert page.evaluate("Object.keys(sessionStorage)") == [f"rapport-dashboard-key:/dashboard/:{key['salt']}:{key['iterations']}"]
        assert page.evaluate("localStorage.length") == 0
        client_url = page.get_by_role("link", name=CANARIES["client name"], exact=True).first.get_attribute("href")
        lock = page.get_by_role("button", name="Lock")
        assert lock.is_visible()
        lock.click()
        page.locator("#rapport-passphrase").wait_for()
        assert page.locator("h1").inner_text() == "Private dashboard"
        assert page.evaluate("sessionStorage.length + localStorage.length") == 0
        # another dashboard page now asks for the passphrase too: the key is gone from the tab
        page.goto(base + "dashboard/" + client_url)
        page.locator("#rapport-passphrase").wait_for()
        assert re.search(r"/dashboard/c/[0-9]{28}\.html$", page.url)
        assert CANARIES["client name"] not in page.content()
        # and unlocking again works, with its own Lock button
        open_dashboard(page, page.url)
        assert page.locator("h1").inner_text() == CANARIES["client name"]
        assert page.get_by_role("button", name="Lock").is_visible()
    assert page.console_errors == []
