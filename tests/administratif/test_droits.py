"""Droits et aides (issue 18, part 6): recorded with their dates, amount, GIR for the APA and supporting
document; the renewal reminder around its boundaries; the CDAPH orientation carried from the admission
request; other organisme and missing rights kept out."""

from __future__ import annotations

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from administratif import selectors, services
from administratif.models import DroitAide
from admission.models import DemandeAdmission
from dui.tenancy import tenant_context
from tests.documents.conftest import deposer, pdf_texte
from tests.soins.conftest import creer_resident

AUJOURDHUI = timezone.localdate


@pytest.fixture
def personne(og_a):
    return creer_resident(og_a, nom_naissance="Roux", premier_prenom="Paul", prenoms_naissance=["Paul"])


def _droit(tenant, personne, **valeurs):
    with tenant_context(tenant.organisme.pk):
        return services.do_enregistrer_droit(tenant["agent_administratif"], personne, tenant.ehpad, **valeurs)


def test_enregistrer_une_apa_avec_son_justificatif(og_a, og_b, personne, client_de):
    from documents import services as documents

    with tenant_context(og_a.organisme.pk):
        documents.do_installer_plan_type(og_a.admin)
    (notification,) = deposer(
        og_a,
        personne,
        pdf_texte("Notification APA"),
        code="droits-aides",
        auteur="agent_administratif",
        titre="Notification APA 2026",
    )
    agent = client_de(og_a["agent_administratif"])
    url = reverse("administratif:droit_nouveau", args=[personne.public_id])
    valeurs = {
        "type_droit": "apa",
        "organisme_payeur": "Conseil départemental de Paris",
        "reference": "APA-2026-0042",
        "debut": "2026-01-01",
        "fin": "2027-12-31",
        "montant": "612.50",
        "gir": "2",
        "justificatif": notification.pk,
    }
    assert agent.post(url, valeurs).status_code == 302
    page = html.unescape(
        agent.get(reverse("administratif:droits", args=[personne.public_id])).content.decode()
    )
    assert (
        "APA (allocation personnalisée d'autonomie)" in page and "(GIR 2)" in page and "612,50 €/mois" in page
    )
    assert "Notification APA 2026" in page
    # bad input: French messages, nothing lost
    r = agent.post(url, {**valeurs, "type_droit": "pch", "fin": "2025-01-01"})
    texte = html.unescape(r.content.decode())
    assert r.status_code == 200 and "Le GIR ne se renseigne que pour l'APA" in texte
    r = agent.post(url, {**valeurs, "gir": "", "fin": "2025-01-01"})
    texte = html.unescape(r.content.decode())
    assert "La fin de validité ne peut pas précéder son début" in texte and "APA-2026-0042" in texte
    with tenant_context(og_a.organisme.pk):
        assert DroitAide.objects.count() == 1
    # reading and writing: the nurse reads (administratif.voir), does not write; the pharmacist has no tab
    infirmiere = client_de(og_a["infirmier"])
    assert (
        "APA-2026-0042"
        in infirmiere.get(reverse("administratif:droits", args=[personne.public_id])).content.decode()
    )
    assert infirmiere.get(url).status_code == 404
    assert (
        client_de(og_a["pharmacien"])
        .get(reverse("administratif:droits", args=[personne.public_id]))
        .status_code
        == 404
    )
    for client in (client_de(og_b["agent_administratif"]), client_de(og_b["directeur"])):
        assert client.get(reverse("administratif:droits", args=[personne.public_id])).status_code == 404
        assert client.post(url, valeurs).status_code == 404


def test_un_justificatif_d_une_autre_personne_est_refuse(og_a, personne):
    from django.core.exceptions import ValidationError

    from documents import services as documents

    autre = creer_resident(og_a, chambre="14")
    with tenant_context(og_a.organisme.pk):
        documents.do_installer_plan_type(og_a.admin)
    (piece,) = deposer(og_a, autre, pdf_texte("x"), code="droits-aides", auteur="agent_administratif")
    with pytest.raises(ValidationError, match="un document du dossier de cette personne"):
        _droit(og_a, personne, type_droit="aah", debut=datetime.date(2026, 1, 1), justificatif=piece)


@pytest.mark.parametrize(
    ("type_droit", "dans", "rappele"),
    [
        ("pch", 180, True),  # the CDAPH's notice: 6 months
        ("pch", 181, False),
        ("apa", 90, True),
        ("apa", 91, False),
        ("aah", 0, True),  # ends today
        ("aah", -30, True),  # ended a month ago: still reminded
        ("aah", -31, False),
    ],
)
def test_rappel_de_renouvellement_autour_des_limites(og_a, personne, type_droit, dans, rappele):
    fin = AUJOURDHUI() + datetime.timedelta(days=dans)
    _droit(og_a, personne, type_droit=type_droit, debut=fin - datetime.timedelta(days=400), fin=fin)
    with tenant_context(og_a.organisme.pk):
        assert bool(selectors.droits_a_renouveler(og_a["agent_administratif"])) is rappele


def test_un_droit_renouvele_n_est_plus_rappele_et_l_accueil_le_montre(og_a, og_b, personne, client_de):
    fin = AUJOURDHUI() + datetime.timedelta(days=20)
    _droit(
        og_a, personne, type_droit="orientation", orientation="MAS", debut=datetime.date(2021, 1, 1), fin=fin
    )
    accueil = html.unescape(client_de(og_a["agent_administratif"]).get("/").content.decode())
    assert "Orientation CDAPH prend fin le" in accueil and "à renouveler" in accueil
    assert (
        "Orientation CDAPH" not in client_de(og_a["infirmier"]).get("/").content.decode()
    )  # reads, no reminder
    assert "Orientation CDAPH" not in client_de(og_b["agent_administratif"]).get("/").content.decode()
    _droit(
        og_a,
        personne,
        type_droit="orientation",
        orientation="MAS",
        debut=fin,
        fin=fin + datetime.timedelta(days=5 * 365),
    )
    with tenant_context(og_a.organisme.pk):
        assert selectors.droits_a_renouveler(og_a["agent_administratif"]) == []


def test_l_orientation_cdaph_de_la_demande_d_admission_est_reprise(og_a, personne, client_de):
    with tenant_context(og_a.organisme.pk):
        demande = DemandeAdmission.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, usager=personne, nom_naissance="Roux",
            prenoms_naissance=["Paul"], date_naissance=datetime.date(1960, 1, 1), sexe="M", origine="cdaph",
            cdaph_numero_decision="CDAPH-75-2025-118", cdaph_date_decision=datetime.date(2025, 6, 1),
            cdaph_fin_validite=datetime.date(2030, 5, 31), orientation="MAS", mode_accueil="permanent",
            date_reception=datetime.date(2025, 7, 1), statut="admise",
        )  # fmt: skip
    agent = client_de(og_a["agent_administratif"])
    page = agent.get(reverse("administratif:droits", args=[personne.public_id])).content.decode()
    assert "CDAPH-75-2025-118" in page and "Reprendre cette orientation" in page
    url = reverse("administratif:reprendre_orientation", args=[personne.public_id, demande.public_id])
    assert client_de(og_a["infirmier"]).post(url).status_code == 404
    assert agent.post(url).status_code == 302
    with tenant_context(og_a.organisme.pk):
        droit = DroitAide.objects.get()
        assert (droit.type_droit, droit.reference, droit.debut, droit.fin) == (
            "orientation", "CDAPH-75-2025-118", datetime.date(2025, 6, 1), datetime.date(2030, 5, 31),
        )  # fmt: skip
        assert droit.orientation == "MAS"
    page = agent.get(reverse("administratif:droits", args=[personne.public_id])).content.decode()
    assert "Reprendre cette orientation" not in page
    r = agent.post(url, follow=True)  # once only: a second click says so
    assert "déjà reprise" in html.unescape(r.content.decode())
    with tenant_context(og_a.organisme.pk):
        assert DroitAide.objects.count() == 1
