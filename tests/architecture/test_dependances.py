"""The lock files pin every dependency of pyproject.toml, with hashes (issue 15, item 8)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

RACINE = Path(__file__).resolve().parents[2]


def _nom(exigence: str) -> str:
    return (
        re.split(r"[\s\[<>=!~;]", exigence.strip(), maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")
    )


def _verrou(fichier: str) -> dict[str, list[str]]:
    """name → hashes of each pinned package."""
    texte = (RACINE / "requirements" / fichier).read_text()
    paquets: dict[str, list[str]] = {}
    for bloc in re.split(r"\n(?=[A-Za-z0-9])", texte):
        entete = re.match(r"([A-Za-z0-9._-]+)==([^\s\\]+)", bloc)
        if entete:
            paquets[_nom(entete.group(1))] = re.findall(r"--hash=sha256:([0-9a-f]{64})", bloc)
    return paquets


PROJET = tomllib.loads((RACINE / "pyproject.toml").read_text())["project"]


@pytest.mark.parametrize(
    ("fichier", "exigences"),
    [
        ("production.txt", PROJET["dependencies"]),
        ("test.txt", PROJET["dependencies"] + PROJET["optional-dependencies"]["test"]),
    ],
)
def test_every_dependency_is_pinned_with_hashes(fichier, exigences):
    verrou = _verrou(fichier)
    manquants = [e for e in exigences if _nom(e) not in verrou]
    assert manquants == [], f"à verrouiller dans requirements/{fichier} : {manquants}"
    sans_empreinte = [nom for nom, empreintes in verrou.items() if not empreintes]
    assert sans_empreinte == []
    assert "--extra-index-url" not in (RACINE / "requirements" / fichier).read_text()
