"""Admission: request, waiting list with ages, commission, admission (dossier + séjour), attachments."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from admission.models import DemandeAdmission
from dui.tenancy import tenant_context
from tests.utils import requetes_comptees
from usagers.models import Sejour, Usager

pytestmark = pytest.mark.django_db


def _donnees(tenant, **extra):
    return {
        "etablissement": str(tenant.ehpad.public_id),
        "nom_naissance": "Garnier",
        "prenoms_naissance": "Yvonne",
        "date_naissance": "1935-02-27",
        "sexe": "F",
        "lieu_naissance_insee": "13055",
        "contact": "Fille 06",
        "origine": "viatrajectoire",
        "reference_viatrajectoire": "VT-2026-118",
        "cdaph_numero_decision": "",
        "orientation": "EHPAD",
        "mode_accueil": "permanent",
        "date_reception": "2026-09-01",
        "date_souhaitee": "",
        "priorite": "3",
        "commentaire": "",
        **extra,
    }


def _creer(client, tenant, **extra):
    r = client.post("/admission/nouvelle/", _donnees(tenant, **extra))
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant.organisme.pk):
        return DemandeAdmission.objects.latest("cree_le")


def test_request_validation_keeps_input(og_a, client_de):
    client = client_de(og_a["agent_administratif"])
    r = client.post("/admission/nouvelle/", _donnees(og_a, origine="cdaph", reference_viatrajectoire=""))
    body = r.content.decode()
    assert "numéro de la décision CDAPH" in body and "date de la décision CDAPH" in body
    assert 'value="Garnier"' in body
    r = client.post("/admission/nouvelle/", _donnees(og_a, reference_viatrajectoire=""))
    assert "numéro de dossier ViaTrajectoire" in r.content.decode()
    r = client.post("/admission/nouvelle/", _donnees(og_a, etablissement=str(og_a.mas.public_id)))
    assert "Sélectionnez un choix valide" in r.content.decode()  # no habilitation in the MAS


def test_full_flow_commission_then_admission_creates_dossier_and_sejour(og_a, client_de):
    agent = client_de(og_a["agent_administratif"])
    demande = _creer(
        agent,
        og_a,
        origine="cdaph",
        reference_viatrajectoire="",
        cdaph_numero_decision="D-69-2026-42",
        cdaph_date_decision="2026-06-01",
    )
    url = f"/admission/{demande.public_id}/"
    # The agent cannot decide; the director decides.
    assert 'name="decision"' not in agent.get(url).content.decode()
    directeur = client_de(og_a["directeur"])
    r = directeur.post(
        url,
        {
            "decision": "1",
            "commission-date_commission": "2026-10-02",
            "commission-decision": "refuse",
            "commission-motif": "",
        },
    )
    assert "motif est obligatoire" in r.content.decode()
    assert (
        directeur.post(
            url,
            {
                "decision": "1",
                "commission-date_commission": "2026-10-02",
                "commission-decision": "admis",
                "commission-motif": "",
            },
        ).status_code
        == 302
    )
    r = agent.post(
        url,
        {"admettre": "1", "date_entree": "2026-11-03", "unite": str(og_a.unite.public_id), "chambre": "12"},
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        demande.refresh_from_db()
        assert demande.statut == "admise"
        usager = Usager.objects.get(pk=demande.usager_id)
        sejour = Sejour.objects.get(usager=usager)
        assert (sejour.etablissement, sejour.unite, sejour.chambre, sejour.date_entree) == (
            og_a.ehpad,
            og_a.unite,
            "12",
            datetime.date(2026, 11, 3),
        )
        assert usager.prenoms_naissance == ["Yvonne"] and usager.statut_identite == "PROV"
    assert r["Location"] == f"/usagers/{usager.public_id}/"


def test_admission_stops_on_a_probable_duplicate(og_a, usager_a, client_de):
    agent = client_de(og_a["agent_administratif"])
    demande = _creer(
        agent, og_a, nom_naissance="LEFEVRE DUPONT", prenoms_naissance="Helene", date_naissance="1938-04-12"
    )
    url = f"/admission/{demande.public_id}/"
    client_de(og_a["directeur"]).post(
        url,
        {
            "decision": "1",
            "commission-date_commission": "2026-10-02",
            "commission-decision": "admis",
            "commission-motif": "",
        },
    )
    r = agent.post(url, {"admettre": "1", "date_entree": "2026-11-03"})
    assert 'data-testid="doublons"' in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert Usager.objects.count() == 1
    assert (
        agent.post(url, {"admettre": "1", "date_entree": "2026-11-03", "confirmer_doublon": "on"}).status_code
        == 302
    )


def test_waiting_list_order_ages_and_query_count(og_a, client_de):
    agent = client_de(og_a["agent_administratif"])
    _creer(agent, og_a, nom_naissance="Ancienne", date_reception="2026-01-10")
    _creer(agent, og_a, nom_naissance="Urgente", priorite="1", date_reception="2026-10-01")
    _creer(agent, og_a, nom_naissance="Recente", date_reception="2026-10-20")
    client = client_de(og_a["directeur"])

    def page():
        with requetes_comptees() as ctx:
            body = client.get("/admission/").content.decode()
        return body, len(ctx.captured_queries)

    body, requetes = page()
    assert body.index("URGENTE") < body.index("ANCIENNE") < body.index("RECENTE")
    assert "3</strong> demandes en cours, dont 1 urgente" in body
    for i in range(5):
        _creer(agent, og_a, nom_naissance=f"N{i}")
    assert page()[1] == requetes


def test_attachments_are_checked_and_served_only_to_the_team(og_a, og_b, client_de):
    agent = client_de(og_a["agent_administratif"])
    demande = _creer(agent, og_a)
    url = f"/admission/{demande.public_id}/"
    faux = SimpleUploadedFile("dossier.pdf", b"MZ\x90\x00 pas un pdf", content_type="application/pdf")
    r = agent.post(url, {"piece": "1", "libelle": "Dossier médical", "fichier": faux})
    assert "pas un PDF, un JPEG ou un PNG" in r.content.decode()
    pdf = SimpleUploadedFile("dossier.pdf", b"%PDF-1.4\n%...\n", content_type="application/pdf")
    assert (
        agent.post(url, {"piece": "1", "libelle": "Dossier ViaTrajectoire", "fichier": pdf}).status_code
        == 302
    )
    with tenant_context(og_a.organisme.pk):
        piece = demande.pieces.get()
    piece_url = f"/admission/{demande.public_id}/pieces/{piece.public_id}/"
    r = agent.get(piece_url)
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    assert client_de(og_b["agent_administratif"]).get(piece_url).status_code == 404
    assert client_de(og_a["pharmacien"]).get(piece_url).status_code == 404
    assert client_de(og_b["directeur"]).get(url).status_code == 404
    assert client_de(og_b["directeur"]).get("/admission/").status_code == 200
    assert "GARNIER" not in client_de(og_b["directeur"]).get("/admission/").content.decode()


def test_cancel_and_rights(og_a, client_de):
    agent = client_de(og_a["agent_administratif"])
    demande = _creer(agent, og_a)
    url = f"/admission/{demande.public_id}/"
    assert client_de(og_a["educateur"]).post(url, {"annuler": "1", "motif": "Désistement"}).status_code == 404
    assert client_de(og_a["pharmacien"]).get(url).status_code == 404
    assert agent.post(url, {"annuler": "1", "motif": "Désistement de la famille"}).status_code == 302
    with tenant_context(og_a.organisme.pk):
        demande.refresh_from_db()
        assert demande.statut == "annulee" and "Désistement de la famille" in demande.commentaire
