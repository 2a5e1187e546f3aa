"""Playwright with Debian's Chromium (browser downloads are impossible here), headless, tablet size."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = os.environ.get("DUI_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TABLETTE = {"width": 820, "height": 1180}  # iPad Air, portrait


@pytest.fixture(scope="session")
def navigateur():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("DUI_REQUIRE_BROWSER"):
            pytest.fail("Chromium est requis (DUI_REQUIRE_BROWSER=1) mais introuvable.")
        pytest.skip("Chromium absent : tests navigateur ignorés (installez le paquet Debian « chromium »).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


# Accessibility as a test (issue 23, item 10): axe-core, vendored (tests/browser/vendor), audits every page a
# browser test loads, and the page as the test leaves it; a serious or critical violation fails the test.
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
IMPACTS_BLOQUANTS = ("serious", "critical")
AXE_RUN = """() => axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
    .filter(v => %s.includes(v.impact))
    .map(v => ({id: v.id, impact: v.impact, aide: v.help,
                cibles: v.nodes.slice(0, 3).map(n => n.target.join(" ") + " — " + n.failureSummary.split("\\n")[1])})))"""
AXE_RUN = AXE_RUN % list(IMPACTS_BLOQUANTS)


_AUDIT_EN_COURS: set[int] = set()


def auditer_accessibilite(page, violations: list[str]) -> None:
    """axe-core on the page as it is (injected through the DevTools protocol: the pages' CSP is untouched).
    A load event arriving while an audit waits (same page) is skipped: axe runs one audit at a time."""
    if page.is_closed() or page.url.startswith("about:") or id(page) in _AUDIT_EN_COURS:
        return
    _AUDIT_EN_COURS.add(id(page))
    try:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(AXE)
        resultats = page.evaluate(AXE_RUN)
    except Exception as exc:  # noqa: BLE001 - the page navigated meanwhile: the next load is audited
        if any(m in str(exc) for m in ("context was destroyed", "navigat", "Axe is already running")):
            return
        raise
    finally:
        _AUDIT_EN_COURS.discard(id(page))
    for v in resultats:
        violations.append(
            f"{page.url} — {v['id']} ({v['impact']}) : {v['aide']} ; " + " | ".join(v["cibles"])
        )


@pytest.fixture
def page(navigateur):
    context = navigateur.new_context(
        viewport=TABLETTE, locale="fr-FR", timezone_id="Europe/Paris", has_touch=True, is_mobile=True
    )
    page = context.new_page()
    erreurs: list[str] = []
    page.on("console", lambda msg: erreurs.append(msg.text) if msg.type == "error" else None)
    page.erreurs_console = erreurs
    violations: list[str] = []
    page.on("load", lambda p: auditer_accessibilite(p, violations))
    page.violations_accessibilite = violations
    yield page
    auditer_accessibilite(page, violations)
    context.close()
    assert not violations, "axe-core : violations graves ou critiques\n" + "\n".join(
        dict.fromkeys(violations)
    )


def se_connecter(page, base: str, user) -> None:
    """Log in through the pages, as a person would: e-mail, password, then the TOTP code."""
    from tests.conftest import PASSWORD, code_totp

    page.goto(f"{base}/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/second-facteur/")
    page.get_by_label("Code à 6 chiffres ou code de secours").fill(code_totp(user))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url(f"{base}/")
