"""Encrypted dashboards in real Chromium: the known-answer vector, unlocking, navigation, charts, downloads."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import plotly
import pytest

from generator.build import build_site
from generator.files import OutputFile
from generator.model import Settings
from generator.safety.crypto import SYMBOLS, ContentKey, seal_key
from generator.safety.encrypt import encrypt_dashboards
from generator.templates import BUILTIN_TEMPLATES, make_environment
from generator.write import write_output
from tests.conftest import serve_folder
from tests.test_publish_crypto import KAT, kat_envelope
from tests.test_publish_support import (  # noqa: F401 - secrets_env is a fixture
    CANARIES,
    PASSPHRASE,
    canary_portfolio,
    secrets_env,
)

SEALED = re.compile(r'(<script type="application/json" id="rapport-sealed" data-root="[^"]*">)(.*?)(</script>)', re.S)
OPAQUE_PAGE = r"[0-9]{28}\.html"


def flip(text: str, index: int) -> str:
    """The text with one symbol changed into another of the alphabet (one bit of a byte flipped)."""
    return text[:index] + SYMBOLS[SYMBOLS.index(text[index]) ^ 1] + text[index + 1:]


# an inline script added to the page: a Content-Security-Policy without 'unsafe-inline' stops it
INLINE_SCRIPT_RUNS = """() => { const script = document.createElement("script"); script.textContent = "window.inlineRan = true";
    document.head.appendChild(script); return window.inlineRan === true; }"""


def open_dashboard(page, url: str, passphrase: str = PASSPHRASE) -> float:
    """Go to an unlock page, type the passphrase, wait for the page to replace it; the seconds it took."""
    page.goto(url)
    page.locator("#rapport-passphrase").fill(passphrase)
    started = time.perf_counter()
    page.get_by_role("button", name="Unlock").click()
    page.locator("#rapport-sealed").wait_for(state="detached")
    return time.perf_counter() - started


def envelope_of(path: Path) -> dict:
    return json.loads(SEALED.search(path.read_text()).group(2))


def with_envelope(path: Path, envelope: dict) -> None:
    text = path.read_text()
    match = SEALED.search(text)
    path.write_text(text[:match.start(2)] + json.dumps(envelope) + text[match.end(2):])


def plain_heading(path: Path) -> str:
    return re.search(r"<h1>(.*?)</h1>", path.read_text(), re.S).group(1)


@pytest.fixture(scope="module")
def kat_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kat")
    shutil.copy(BUILTIN_TEMPLATES / "unlock.js", folder / "unlock.js")
    (folder / "kat.html").write_text('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>KAT</title><script src="unlock.js"></script>')
    return folder


def test_the_known_answer_vector_decrypts_identically_in_the_browser(page, kat_folder: Path) -> None:
    with serve_folder(kat_folder) as base:
        page.goto(base + "kat.html")
        result = page.evaluate("""async ([envelope, passphrase, path]) => {
            const derived = await RapportUnlock.deriveKeyBytes(passphrase, envelope.key);
            const plain = await RapportUnlock.decryptWithPassphrase(envelope, passphrase, path);
            return {derived: Array.from(derived, b => b.toString(16).padStart(2, "0")).join(""),
                    plain: new TextDecoder().decode(plain)};
        }""", [kat_envelope(), KAT["passphrase"], KAT["path"]])
    assert result == {"derived": KAT["passphrase_key"], "plain": KAT["plaintext"].decode()}
    assert page.console_errors == []


def test_the_browser_reads_the_alphabet_as_python_writes_it_and_refuses_anything_else(page, kat_folder: Path) -> None:
    from generator.safety.crypto import encode

    data = bytes(range(256)) * 4
    with serve_folder(kat_folder) as base:
        page.goto(base + "kat.html")
        result = page.evaluate("""([text, bad]) => {
            const decoded = Array.from(RapportUnlock.decode(text));
            const refused = bad.map(value => { try { RapportUnlock.decode(value); return "read"; } catch (error) { return error.reason; } });
            return {decoded, encoded: RapportUnlock.encode(new Uint8Array(decoded)), refused};
        }""", [encode(data), ["0a", "!", "!# ", "AB", "!\u00e9", "!#<>"]])
    assert result == {"decoded": list(data), "encoded": encode(data), "refused": ["damaged"] * 6}


def test_wrong_passphrase_flipped_byte_moved_path_and_few_iterations_fail_in_the_browser(page, kat_folder: Path) -> None:
    envelope = kat_envelope()
    flipped = dict(envelope, data=flip(envelope["data"], 0))
    weak = dict(envelope, key=dict(envelope["key"], iterations=599_999))
    with serve_folder(kat_folder) as base:
        page.goto(base + "kat.html")
        reasons = page.evaluate("""async (cases) => {
            const out = [];
            for (const [envelope, passphrase, path] of cases) {
                try { await RapportUnlock.decryptWithPassphrase(envelope, passphrase, path); out.push("opened"); }
                catch (error) { out.push(error.reason); }
            }
            return out;
        }""", [[envelope, "correct horse battery stapler", KAT["path"]], [flipped, KAT["passphrase"], KAT["path"]],
               [envelope, KAT["passphrase"], "dashboard/c/elsewhere.html"], [weak, KAT["passphrase"], KAT["path"]]])
    assert reasons == ["passphrase", "damaged", "damaged", "iterations"]


@pytest.fixture
def built(make_portfolio, tmp_path: Path, secrets_env: None) -> Path:
    out = tmp_path / "output"
    build_site(canary_portfolio(make_portfolio), out)
    return out


def test_unlock_the_overview_then_open_a_client_without_typing_again(page, built: Path, capsys) -> None:
    overview = built / "dashboard" / "index.html"
    with serve_folder(built / "public") as base:
        page.goto(base + "dashboard/index.html")
        assert page.locator("h1").inner_text() == "Private dashboard"
        assert page.title().startswith("Private dashboard")
        seconds = open_dashboard(page, base + "dashboard/index.html")
        assert page.locator("h1").inner_text() == plain_heading(overview)
        # its stylesheet loaded from the plain assets folder under the page's CSP
        assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") != "none"
        page.get_by_role("link", name=CANARIES["client name"], exact=True).first.click()
        page.wait_for_url(re.compile(r".*/dashboard/c/" + OPAQUE_PAGE + "$"))
        page.locator("#rapport-sealed").wait_for(state="detached")
        assert page.locator("h1").inner_text() == CANARIES["client name"]
        assert page.get_by_text(CANARIES["contact e-mail"]).count() >= 1
        assert page.evaluate("localStorage.length") == 0
        assert page.evaluate("Object.keys(sessionStorage)") == [
            f"rapport-dashboard-key:/dashboard/:{envelope_of(built / 'public' / 'dashboard' / 'index.html')['key']['salt']}:"
            f"{envelope_of(built / 'public' / 'dashboard' / 'index.html')['key']['iterations']}"]
        assert page.console_errors == []
        # the page's Content-Security-Policy is still in force after the decrypted page replaced the unlock page
        assert page.evaluate(INLINE_SCRIPT_RUNS) is False
        assert [error.split(" violates ")[0] for error in page.console_errors] == ["Executing inline script"]
        # a new tab is a new session: it asks again
        other = page.context.new_page()
        other.goto(page.url)
        other.locator("#rapport-passphrase").wait_for()
        other.close()
    with capsys.disabled():
        print(f"\nunlock in Chromium at {envelope_of(built / 'public' / 'dashboard' / 'index.html')['key']['iterations']:,} "
              f"PBKDF2 iterations: {seconds:.2f} s")
    assert seconds < 15


def test_a_wrong_passphrase_is_said_plainly(page, built: Path) -> None:
    with serve_folder(built / "public") as base:
        page.goto(base + "dashboard/index.html")
        page.locator("#rapport-passphrase").fill("not the passphrase at all")
        page.get_by_role("button", name="Unlock").click()
        status = page.locator("#rapport-status")
        status.filter(has_text="Wrong passphrase").wait_for()
        assert status.inner_text() == "Wrong passphrase. Check it and try again."
        assert page.locator("h1").inner_text() == "Private dashboard"
        assert page.evaluate("sessionStorage.length + localStorage.length") == 0


def test_a_tampered_moved_or_weakened_page_is_refused(page, built: Path) -> None:
    pages = sorted((built / "public" / "dashboard" / "c").glob("*.html"))
    tampered, moved_from, weak = pages[0], pages[1], built / "public" / "dashboard" / "index.html"
    moved_to = moved_from.with_name("1" * 28 + ".html")
    envelope = envelope_of(tampered)
    envelope["data"] = flip(envelope["data"], 10)
    with_envelope(tampered, envelope)
    shutil.copy(moved_from, moved_to)
    weakened = envelope_of(weak)
    weakened["key"]["iterations"] = 1000
    with_envelope(weak, weakened)
    with serve_folder(built / "public") as base:
        page.goto(base + f"dashboard/c/{tampered.name}")
        page.locator("#rapport-passphrase").fill(PASSPHRASE)
        page.get_by_role("button", name="Unlock").click()
        page.locator("#rapport-status.bad").wait_for()
        assert "does not decrypt: it was changed, or moved" in page.locator("#rapport-status").inner_text()
        assert "?" not in page.url
        # the passphrase was right, so the next page tries the kept key, and says why it fails
        page.goto(base + f"dashboard/c/{moved_to.name}")
        page.locator("#rapport-status.bad").wait_for()
        assert "does not decrypt: it was changed, or moved" in page.locator("#rapport-status").inner_text()
        assert page.locator("#rapport-unlock").is_hidden()
        page.goto(base + "dashboard/index.html")
        page.locator("#rapport-status.bad").wait_for()
        assert "1000 key-derivation iterations; at least 600,000 are required" in page.locator("#rapport-status").inner_text()
        assert page.locator("#rapport-unlock").is_hidden()


def test_the_dashboards_open_from_disk(page, built: Path) -> None:
    open_dashboard(page, (built / "public" / "dashboard" / "index.html").as_uri())
    assert page.locator("h1").inner_text() == plain_heading(built / "dashboard" / "index.html")
    page.get_by_role("link", name=CANARIES["client name"], exact=True).first.click()
    page.locator("#rapport-sealed").wait_for(state="detached")
    assert page.locator("h1").inner_text() == CANARIES["client name"]


# ---------------------------------------------------------------- charts and exports (a dashboard made here)

CSP = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
CHART_PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>Overview · Test IT</title><link rel="stylesheet" href="assets/dashboard.css">
<script src="assets/plotly.min.js"></script><script src="assets/charts.js" defer></script></head>
<body><h1>Clients</h1>
<p><a href="exports/clients.csv" download>Clients (CSV)</a> · <a href="clients/acme.html#contacts">Acme</a></p>
<p id="loaded">not yet</p><div id="chart" class="chart"></div>
<script type="application/json" id="chart-data">{{"x": [1, 2, 3], "y": [3, 1, 2]}}</script></body></html>"""
CLIENT_PAGE = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}"><title>Acme · Test IT</title></head>
<body><h1 id="contacts">Acme</h1><a href="../index.html">Overview</a></body></html>"""
CHARTS_JS = """document.addEventListener("DOMContentLoaded", function () { document.getElementById("loaded").textContent = "loaded"; });
var data = JSON.parse(document.getElementById("chart-data").textContent);
Plotly.newPlot("chart", [{x: data.x, y: data.y, type: "scatter"}], {width: 480, height: 300});"""
CSV = b"client,onsite_12m\r\nacme,22\r\n"


@pytest.fixture(scope="module")
def chart_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("charts") / "output"
    plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    files = [OutputFile("dashboard/index.html", CHART_PAGE.encode()), OutputFile("dashboard/clients/acme.html", CLIENT_PAGE.encode()),
             OutputFile("dashboard/assets/charts.js", CHARTS_JS.encode()), OutputFile("dashboard/assets/dashboard.css", b".chart{min-height:300px}"),
             OutputFile("dashboard/assets/plotly.min.js", plotly_js.read_bytes()), OutputFile("dashboard/exports/clients.csv", CSV)]
    content = ContentKey.generate()
    sealed = seal_key(content, PASSPHRASE, 600_000)
    published = encrypt_dashboards(files, sealed, content, make_environment(), Settings(business={"name": "Test IT"}))
    write_output(files + published, folder)
    return folder


def test_charts_work_in_a_decrypted_page_as_in_the_plain_one(page, chart_site: Path) -> None:
    with serve_folder(chart_site) as base:
        page.goto(base + "dashboard/index.html")
        page.locator("#chart .main-svg").first.wait_for()
        plain = (page.locator("#chart .main-svg").count(), page.locator("#loaded").inner_text())
        open_dashboard(page, base + "public/dashboard/index.html")
        page.locator("#chart .main-svg").first.wait_for()
        assert (page.locator("#chart .main-svg").count(), page.locator("#loaded").inner_text()) == plain == (plain[0], "loaded")
        assert page.locator("#chart .scatterlayer .trace").count() == 1
        page.get_by_role("link", name="Acme").click()
        page.wait_for_url(re.compile(r".*/public/dashboard/c/" + OPAQUE_PAGE + "#contacts$"))
        page.locator("#rapport-sealed").wait_for(state="detached")
        assert page.locator("h1").inner_text() == "Acme"
        page.get_by_role("link", name="Overview").click()
        page.wait_for_url("**/public/dashboard/index.html")
        page.locator("#chart .main-svg").first.wait_for()


def test_an_export_becomes_a_download_made_in_the_browser(page, chart_site: Path, tmp_path: Path) -> None:
    assert b"acme,22" not in b"".join(path.read_bytes() for path in (chart_site / "public").rglob("*") if path.is_file())
    with serve_folder(chart_site) as base:
        open_dashboard(page, base + "public/dashboard/index.html")
        with page.expect_download() as download_info:
            page.get_by_role("link", name="Clients (CSV)").click()
        download = download_info.value
        assert download.suggested_filename == "clients.csv"
        saved = tmp_path / "clients.csv"
        download.save_as(saved)
        assert saved.read_bytes() == CSV
        assert page.locator("h1").inner_text() == "clients.csv"
        assert page.evaluate("localStorage.length") == 0
