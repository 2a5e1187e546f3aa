"""No link leads a user to a page they may not open (issue 23, item 10): for each role, every link of the menu
and of the home page, and the links of the pages they open, answer — never a 404 or a 403 for the user who was
shown it."""

from __future__ import annotations

import re

import pytest

from tests.soins.conftest import creer_resident

ROLES = [
    "directeur", "chef_service", "medecin_coordonnateur", "medecin", "infirmier", "aide_soignant", "pharmacien",
    "psychologue", "educateur", "travailleur_social", "agent_administratif", "admin", "dpo",
]  # fmt: skip
LIEN = re.compile(r'<a [^>]*href="(/[^"#?]*)(?:\?[^"]*)?"')


@pytest.mark.parametrize("role", ROLES)
def test_the_menu_and_home_links_open_for_whoever_sees_them(og_a, client_de, role):
    creer_resident(og_a, nom_naissance="Lien")
    user = {"admin": og_a.admin, "dpo": og_a.dpo}.get(role) or og_a[role]
    client = client_de(user)
    accueil = client.get("/")
    assert accueil.status_code == 200
    exclus = {"/deconnexion/", "/connexion/"}
    vus, morts = set(exclus), []
    niveau = [("/", accueil)]
    for _profondeur in range(2):  # the home page's links, then the links of those pages
        suivant = []
        for page, reponse_page in niveau:
            for lien in sorted(set(LIEN.findall(reponse_page.content.decode())) - vus):
                vus.add(lien)
                if re.search(r"/(csv|xlsx|pdf|ics|fichier)/?$", lien):
                    continue  # a file, not a page to read links from
                reponse = client.get(lien)
                if reponse.status_code in (403, 404):
                    morts.append(f"{lien} (depuis {page}) → {reponse.status_code}")
                elif reponse.status_code == 200 and "text/html" in reponse.get("Content-Type", ""):
                    suivant.append((lien, reponse))
        niveau = suivant
    assert morts == [], f"{role} : liens vers des pages qu'il ne peut pas ouvrir : " + " | ".join(morts)
