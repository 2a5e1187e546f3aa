"""The dossier as a registry (usagers.dossier): a tab or a banner item is one declaration, shown only to
those whose rights allow it; the dossier page asks the policy once for the person and its query count is
pinned."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from habilitations.roles import Droit
from tests.utils import ConsultationsDeLaPolitique, nombre_de_requetes
from usagers.dossier import registre

pytestmark = pytest.mark.django_db


@pytest.fixture
def onglet_de_test():
    """A tab of a would-be app, gated on medical data, pointing at an existing dossier route."""
    registre.onglet(
        "essai", "Onglet essai médical", ordre=55, url="usagers:presence", voir=Droit.MEDICAL_VOIR
    )
    registre.bandeau(
        "essai",
        ordre=99,
        voir=Droit.MEDICAL_VOIR,
        template="usagers/_bandeau_essai.html",
        contexte=lambda user, usager: {"texte": f"Bandeau essai pour {usager.premier_prenom}"},
    )
    yield
    registre.retirer("essai")


def test_a_registered_tab_and_banner_item_are_rendered_for_those_allowed(
    og_a, usager_a, client_de, onglet_de_test, settings, tmp_path
):
    gabarits = tmp_path / "gabarits" / "usagers"
    gabarits.mkdir(parents=True)
    (gabarits / "_bandeau_essai.html").write_text('<p data-testid="bandeau-essai">{{ b.texte }}</p>')
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "gabarits", *settings.TEMPLATES[0]["DIRS"]]}
    ]
    url = f"/usagers/{usager_a.public_id}/"

    corps = client_de(og_a["medecin"]).get(url).content.decode()
    assert "Onglet essai médical" in corps and "Bandeau essai pour Hélène" in corps
    # after "Séjours et présence" (50) and before "Projet personnalisé" (60): the declared order
    assert (
        corps.index("Séjours et présence")
        < corps.index("Onglet essai médical")
        < corps.index("Projet personnalisé")
    )
    # an educator has no medical right: neither the tab nor the banner item
    corps = client_de(og_a["educateur"]).get(url).content.decode()
    assert "Onglet essai médical" not in corps and "Bandeau essai" not in corps
    assert "Journal de suivi" in corps  # the educator's own tabs are there


def test_declarations_are_checked(onglet_de_test):
    with pytest.raises(ImproperlyConfigured, match="déjà déclaré"):
        registre.onglet("essai", "Deux fois", ordre=1, url="usagers:dossier", voir=Droit.SOINS_VOIR)
    with pytest.raises(ImproperlyConfigured, match="Droit"):
        registre.onglet("essai-2", "Sans droit", ordre=1, url="usagers:dossier", voir="soins.voir")
    with pytest.raises(ImproperlyConfigured, match="inconnue"):
        registre.libelle("section-inexistante")


def test_tabs_follow_the_rights_of_each_role(og_a, usager_a, client_de):
    url = f"/usagers/{usager_a.public_id}/"
    infirmier = client_de(og_a["infirmier"]).get(url).content.decode()
    for libelle in ("Identité", "Évaluations", "Soins et dossier médical", "Médicaments", "Échanges"):
        assert libelle in infirmier, libelle
    assert 'data-testid="bandeau-allergies"' in infirmier
    educateur = client_de(og_a["educateur"]).get(url).content.decode()
    assert "Projet personnalisé" in educateur and "Évaluations" in educateur  # social
    for libelle in ("Soins et dossier médical", "Constantes", "Médicaments"):
        assert libelle not in educateur, libelle
    assert 'data-testid="bandeau-allergies"' not in educateur  # secret professionnel partagé
    agent = client_de(og_a["agent_administratif"]).get(url).content.decode()
    assert "Évaluations" not in agent and "Documents" in agent


def test_dossier_page_asks_the_policy_once_and_its_query_count_is_pinned(
    og_a, usager_a, client_de, monkeypatch
):
    client = client_de(og_a["infirmier"])
    url = f"/usagers/{usager_a.public_id}/"
    client.get(url)  # session and caches warm, as for any page after the first
    consultations = ConsultationsDeLaPolitique(monkeypatch)
    requetes = nombre_de_requetes(client, url)
    # the lookup (scope) and the decision on the person (actions_sur): before the registry, the identity
    # page consulted the policy 19 times (one per tab and for the banner) and ran 23 queries
    assert consultations.appels == ["scope", "actions_sur"], consultations.appels
    assert requetes == 13, requetes  # issue 16: 21 before (one transaction, rights read once)
    # the admission agent may merge duplicates: one more consultation, for the duplicates list
    agent = client_de(og_a["agent_administratif"])
    agent.get(url)
    consultations.appels.clear()
    assert nombre_de_requetes(agent, url) == 12  # issue 16: 20 before
    assert consultations.appels == ["scope", "actions_sur", "scope"], consultations.appels
