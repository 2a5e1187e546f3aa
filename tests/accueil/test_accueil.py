"""The home page reads what each app declares (dui.registre_accueil): the links of an ESMS's card follow the
rights in that ESMS, the "today" items are the professional's own, and another tenant sees none of them."""

from __future__ import annotations

import datetime
import html
import re

import pytest
from django.utils import timezone

from accompagnement import services
from accompagnement.models import ProjetPersonnalise, StatutPP
from dui.registre_accueil import registre_accueil
from dui.tenancy import tenant_context
from habilitations.roles import Droit
from tests.accompagnement.conftest import projet_en_co_construction, resident_a  # noqa: F401 - fixture
from tests.factories import HabilitationFactory

pytestmark = pytest.mark.django_db


def _cartes(client) -> dict[str, list[str]]:
    """{ESMS name: the link labels of its card} as rendered."""
    corps = client.get("/").content.decode()
    cartes = {}
    for bloc in corps.split('data-testid="etablissement"')[1:]:
        nom = re.search(r"<h2><a [^>]*>([^<]+)</a></h2>", bloc).group(1)
        actions = re.search(r'<p class="actions">(.*?)</p>', bloc, re.S)
        liens = re.findall(r">([^<]+)</a>", actions.group(1)) if actions else []
        cartes[html.unescape(nom)] = [html.unescape(lien) for lien in liens]
    return cartes


def test_card_links_follow_the_rights_in_each_esms(og_a, client_de):
    with tenant_context(og_a.organisme.pk):
        HabilitationFactory(
            professionnel=og_a["directeur"],
            etablissement=og_a.mas,
            role="directeur",
            debut=timezone.localdate(),
        )
    cartes = _cartes(client_de(og_a["directeur"]))
    # the director (pilotage.modifier) of an EHPAD: occupation, bilans, GMP (AGGIR sector), indicators, grids
    assert cartes[og_a.ehpad.nom] == [
        "Tableau de bord",
        "Occupation de l'établissement",
        "Projets personnalisés : bilans",
        "GIR moyen pondéré",
        "Indicateurs ESMS numérique",
        "Messages des proches",
        "Qualité : réclamations et événements indésirables",
        "Conseil de la vie sociale",
        "Enquêtes de satisfaction",
        "Coupes Pathos et GMPS",
        "Agenda et coordination",
        "Contrats de séjour",
        "Présence pour la facturation",
        "Grilles d'évaluation",
    ]
    # the same director in a MAS: no GMP, no coupe Pathos there
    assert cartes[og_a.mas.nom] == [
        "Tableau de bord",
        "Occupation de l'établissement",
        "Projets personnalisés : bilans",
        "Indicateurs ESMS numérique",
        "Messages des proches",
        "Qualité : réclamations et événements indésirables",
        "Conseil de la vie sociale",
        "Enquêtes de satisfaction",
        "Agenda et coordination",
        "Contrats de séjour",
        "Présence pour la facturation",
        "Grilles d'évaluation",
    ]
    # the chef de service reads the pilotage (voir) but does not configure the grids
    assert _cartes(client_de(og_a["chef_service"]))[og_a.ehpad.nom] == [
        "Tableau de bord",
        "Occupation de l'établissement",
        "Projets personnalisés : bilans",
        "GIR moyen pondéré",
        "Indicateurs ESMS numérique",
        "Messages des proches",
        "Qualité : réclamations et événements indésirables",
        "Conseil de la vie sociale",
        "Enquêtes de satisfaction",
        "Coupes Pathos et GMPS",
        "Agenda et coordination",
        "Contrats de séjour",
    ]
    # a nurse has no pilotage right: the messages of the relatives (social.voir) and the agenda of her ESMS
    assert _cartes(client_de(og_a["infirmier"])) == {
        og_a.ehpad.nom: ["Messages des proches", "Agenda et coordination"]
    }


def test_a_link_declared_by_an_app_is_one_registration(og_a, client_de):
    registre_accueil.lien_etablissement(
        "essai", "Lien essai", ordre=15, url="usagers:occupation", action=Droit.SOINS_VOIR
    )
    try:
        assert "Lien essai" in _cartes(client_de(og_a["infirmier"]))[og_a.ehpad.nom]
        assert "Lien essai" not in _cartes(client_de(og_a["educateur"]))[og_a.ehpad.nom]
    finally:
        registre_accueil.retirer("essai")


def test_today_items_are_the_professionals_own_reminders(og_a, og_b, resident_a, client_de):  # noqa: F811
    pp = projet_en_co_construction(og_a, resident_a)
    il_y_a_un_an = timezone.localdate() - datetime.timedelta(days=400)
    with tenant_context(og_a.organisme.pk):
        # validated 400 days ago, written directly (the service refuses a validation in the past)
        ProjetPersonnalise.objects.filter(pk=pp.pk).update(
            statut=StatutPP.EN_OEUVRE,
            date_validation=il_y_a_un_an,
            echeance_bilan=il_y_a_un_an + datetime.timedelta(days=365),
            coordonnateur=og_a["educateur"],
        )
        assert services.creer_rappels_bilans(og_a.organisme.pk) == 1
    corps = client_de(og_a["educateur"]).get("/").content.decode()
    assert "Mes rappels" in corps and corps.count('data-testid="rappel"') == 1
    assert f"/accompagnement/projet/{pp.public_id}/" in corps
    # another professional of A, and B's educator: no reminder of A's coordinator
    for client in (client_de(og_a["infirmier"]), client_de(og_b["educateur"])):
        corps = client.get("/").content.decode()
        assert "Mes rappels" not in corps and 'data-testid="rappel"' not in corps
