"""Templates: no empty table header (issue 23, item 11 — axe-core « empty-table-header »): a column of actions
or of images says what it holds to a screen reader (class ``visuellement-cache``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]
VIDE = re.compile(r"<th(?:\s[^>]*)?>\s*</th>")


def gabarits() -> list[Path]:
    return [
        p
        for p in RACINE.rglob("*.html")
        if not {".venv", ".local", "node_modules", "test-results"} & set(p.parts)
    ]


def test_no_empty_table_header():
    vides = [
        f"{p.relative_to(RACINE)}:{n}"
        for p in gabarits()
        for n, ligne in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if VIDE.search(ligne)
    ]
    assert vides == []


def test_the_rule_sees_an_empty_header():
    assert VIDE.search("<tr><th>Nom</th><th></th></tr>")
    assert VIDE.search('<th scope="col"> </th>')
    assert not VIDE.search('<th><span class="visuellement-cache">Actions</span></th>')


@pytest.mark.django_db
def test_the_service_worker_is_served_from_the_root_without_personal_data(client):
    """Issue 23: /sw.js (the offline reading of the round) is public like the static files, served as
    JavaScript from the root so that its scope is the site, and holds no data of anybody."""
    r = client.get("/sw.js")
    corps = r.content.decode()
    assert r.status_code == 200 and r["Content-Type"].startswith("text/javascript")
    assert r["Cache-Control"] == "no-cache"
    assert "dui-hors-ligne-v1" in corps and "tournee" in corps and "journee" in corps and "@" not in corps
