"""On a phone, a daughter who holds her mother's habilitation familiale logs into the space (password, then the
code received by e-mail), reads the projet personnalisé, gives her agreement and writes to the unit; the
referent answers from a tablet; the daughter reads the answer."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from accompagnement.models import StatutPP
from dui.tenancy import tenant_context
from relation import portail, services
from tests.accompagnement.conftest import projet_en_co_construction
from tests.browser.conftest import CHROMIUM, se_connecter
from tests.conftest import PASSWORD
from tests.soins.conftest import creer_resident
from usagers.models import MesureProtection, Proche

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TELEPHONE = {"width": 390, "height": 844}


def _code(email: str) -> str:
    for m in reversed(mail.outbox):
        if email in m.to and "code de connexion" in m.subject:
            return re.search(r"(\d{6})", m.subject).group(1)
    raise AssertionError("aucun code reçu")


def test_une_fille_lit_le_projet_donne_son_accord_et_ecrit_l_equipe_repond(
    live_server, og_a, navigateur, page
):
    usager = creer_resident(
        og_a, nom_naissance="Lefort", premier_prenom="Jeanne", prenoms_naissance=["Jeanne"]
    )
    pp = projet_en_co_construction(og_a, usager)
    with tenant_context(og_a.organisme.pk):
        claire = Proche.objects.create(
            organisme=og_a.organisme, usager=usager, nom="Martin", prenom="Claire", lien="enfant",
            representant_legal=True,
        )  # fmt: skip
        MesureProtection.objects.create(
            organisme=og_a.organisme, usager=usager, type_mesure="habilitation_familiale", mandataire="Claire Martin",
            date_debut=timezone.localdate() - datetime.timedelta(days=200),
        )  # fmt: skip
        acces = services.do_inviter(
            og_a["educateur"],
            usager,
            og_a.ehpad,
            qualite="representant",
            proche=claire,
            email="claire@exemple.test",
        )
    jeton = re.search(r"/espace/invitation/([^/\s]+)/", mail.outbox[-1].body).group(1)
    compte = services.accepter_invitation(jeton, prenom="Claire", nom="Martin", password=PASSWORD)
    portail.confirmer_second_facteur(compte, "courriel")

    contexte = navigateur.new_context(
        viewport=TELEPHONE, locale="fr-FR", timezone_id="Europe/Paris", has_touch=True, is_mobile=True
    )
    telephone = contexte.new_page()
    erreurs: list[str] = []
    telephone.on("console", lambda msg: erreurs.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    telephone.goto(f"{base}/espace/connexion/")
    telephone.get_by_label("Adresse e-mail").fill("claire@exemple.test")
    telephone.get_by_label("Mot de passe").fill(PASSWORD)
    telephone.get_by_role("button", name="Se connecter").tap()
    telephone.wait_for_url("**/espace/connexion/code/")
    telephone.get_by_label("Code à 6 chiffres").fill(_code("claire@exemple.test"))
    telephone.get_by_role("button", name="Valider").tap()
    expect(telephone.get_by_role("heading", level=1)).to_contain_text("Jeanne")
    telephone.get_by_role("link", name="Lire le projet").tap()
    expect(telephone.get_by_test_id("projet")).to_contain_text("Marcher jusqu'au jardin")
    # a refusal without its reason: refused in French, the choice kept
    telephone.get_by_label("Je ne suis pas d'accord").check()
    telephone.get_by_role("button", name="Envoyer ma réponse").tap()
    expect(telephone.locator(".errorlist").first).to_contain_text("Indiquez le motif du refus")
    telephone.get_by_label("Je suis d'accord avec ce projet").check()
    telephone.get_by_role("button", name="Envoyer ma réponse").tap()
    expect(telephone.locator(".messages")).to_contain_text("votre accord est enregistré")
    telephone.screenshot(path="test-results/espace-proche-projet-telephone.png", full_page=True)
    telephone.get_by_role("link", name="Messages").tap()
    telephone.get_by_label("Objet").fill("Visite de dimanche")
    telephone.get_by_label("Message").fill("Puis-je venir déjeuner avec maman dimanche ?")
    telephone.get_by_role("button", name="Envoyer").tap()
    expect(telephone.get_by_test_id("message")).to_contain_text("déjeuner avec maman")
    with tenant_context(og_a.organisme.pk):
        pp.refresh_from_db()
        assert pp.statut == StatutPP.EN_OEUVRE

    # the referent answers from the tablet
    se_connecter(page, base, og_a["educateur"])
    page.goto(f"{base}/relation/etablissement/{og_a.ehpad.public_id}/messages/")
    page.get_by_role("link", name="Visite de dimanche").tap()
    expect(page.get_by_test_id("message")).to_contain_text("déjeuner avec maman")
    page.get_by_label("Message").fill("Avec plaisir, nous prévoyons un couvert de plus.")
    page.get_by_role("button", name="Répondre").tap()
    expect(page.locator(".messages")).to_contain_text("Réponse envoyée")
    assert "couvert" not in mail.outbox[-1].body  # the e-mail only says a message is waiting

    telephone.reload()
    expect(telephone.get_by_test_id("message").last).to_contain_text("un couvert de plus")
    telephone.screenshot(path="test-results/espace-proche-messages-telephone.png", full_page=True)
    assert erreurs == [] and page.erreurs_console == []
    contexte.close()
    assert CHROMIUM and acces.pk
