"""Pages of the exchanges: send a document to the DMP and by MSSanté, the ESMS's exchanges (retry, cancel),
the dossier's exchanges and FHIR export, the director's indicators; habilitations and the other tenant."""

from __future__ import annotations

import datetime
import json

import pytest
from fhir.resources.R4B.bundle import Bundle

from dui.models import JournalAcces
from dui.tenancy import tenant_context
from interop import services
from interop.models import Envoi, StatutEnvoi
from soins.models import Intervenant
from tests.interop.conftest import MATRICULE, document_pret, personne
from tests.utils import nombre_de_requetes
from usagers.models import Consentement

# Queries of: the exchanges list, a document's sending page, the dossier's tab, the indicators.
# (the two dossier pages −1 since the dossier registry: the séjours loaded once answer the person's ESMS)
# issue 16: one transaction, the rights read once (−7/−8); issue 17: +1 on the sending page (the partner directory)
# issue 21: +1 on the indicators (the share of logins through Pro Santé Connect, one aggregate)
PINNED = [14, 17, 19, 14]


@pytest.fixture
def envoyable(og_a):
    usager = personne(og_a)
    return usager, document_pret(og_a, usager)


def _envois(og):
    with tenant_context(og.organisme.pk):
        return list(Envoi.objects.order_by("id"))


def test_document_sent_to_the_dmp_from_its_page(
    og_a, envoyable, client_de, serveur_dmp, django_capture_on_commit_callbacks
):
    usager, document = envoyable
    client = client_de(og_a["infirmier"])
    r = client.get(f"/documents/dossier/{usager.public_id}/")
    assert f"/echanges/document/{document.public_id}/" in r.content.decode()  # the "Envoyer…" link
    url = f"/echanges/document/{document.public_id}/"
    r = client.get(url)
    assert r.status_code == 200 and "Envoyer au DMP" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"formulaire": "dmp", "masquage": ["INVISIBLE_PATIENT"]})
    assert r.status_code == 302
    [envoi] = _envois(og_a)
    assert (envoi.statut, envoi.masquage, envoi.demande_par_id) == (
        StatutEnvoi.ENVOYE,
        ["INVISIBLE_PATIENT"],
        og_a["infirmier"].pk,
    )
    page = client.get(url).content.decode()
    assert "Accepté par le DMP" in page and "Envoyer au DMP</button>" not in page


def test_dmp_refusal_reasons_are_shown(og_a, client_de):
    usager = personne(og_a, qualifiee=False)
    document = document_pret(og_a, usager)
    client = client_de(og_a["infirmier"])
    page = client.get(f"/echanges/document/{document.public_id}/").content.decode()
    assert "n&#x27;est pas qualifiée" in page and "Envoyer au DMP</button>" not in page
    # A forged POST is refused with the same French reason, nothing written.
    r = client.post(f"/echanges/document/{document.public_id}/", {"formulaire": "dmp"})
    assert r.status_code == 200 and "n&#x27;est pas qualifiée" in r.content.decode() and _envois(og_a) == []
    qualifiee = personne(og_a, nom_naissance="Martin")
    document = document_pret(og_a, qualifiee)
    with tenant_context(og_a.organisme.pk):
        Consentement.objects.create(
            organisme=og_a.organisme,
            usager=qualifiee,
            type_consentement="dmp",
            reponse="refuse",
            exprime_par="usager",
            date_recueil=datetime.date(2026, 1, 2),
            recueilli_par=og_a["infirmier"],
        )
    page = client.get(f"/echanges/document/{document.public_id}/").content.decode()
    assert "opposé(e) à l&#x27;alimentation de son DMP" in page


def test_mssante_form_with_the_dossier_correspondents(
    og_a, envoyable, client_de, serveur_smtp, django_capture_on_commit_callbacks
):
    usager, document = envoyable
    with tenant_context(og_a.organisme.pk):
        Intervenant.objects.create(
            organisme=og_a.organisme,
            usager=usager,
            role="medecin_traitant",
            nom="Dr Anne Rivière",
            adresse_mss="anne.riviere@medecin.mssante.fr",
        )
    client = client_de(og_a["infirmier"])
    url = f"/echanges/document/{document.public_id}/"
    assert "Dr Anne Rivière — anne.riviere@medecin.mssante.fr" in client.get(url).content.decode()
    r = client.post(url, {"formulaire": "mssante", "adresse": "anne@gmail.com"})
    page = r.content.decode()
    assert r.status_code == 200 and "Adresse MSSanté attendue" in page and 'value="anne@gmail.com"' in page
    r = client.post(url, {"formulaire": "mssante"})
    assert "Choisissez un correspondant ou saisissez une adresse MSSanté." in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"formulaire": "mssante", "destinataire": "anne.riviere@medecin.mssante.fr"})
    assert r.status_code == 302
    [envoi] = _envois(og_a)
    assert (
        envoi.statut == StatutEnvoi.ENVOYE
        and envoi.libelle_destinataire == "Dr Anne Rivière (médecin traitant)"
    )
    assert len(serveur_smtp.messages) == 1


def test_exchange_list_retry_and_cancel(
    og_a, envoyable, client_de, serveur_dmp, django_capture_on_commit_callbacks
):
    _usager, document = envoyable
    serveur_dmp.pannes = 1
    with tenant_context(og_a.organisme.pk):
        envoi = services.do_demander_envoi_dmp(og_a["medecin"], document)
        services.relayer()
        Envoi.objects.filter(pk=envoi.pk).update(statut=StatutEnvoi.ECHEC)
    client = client_de(og_a["infirmier"])
    page = client.get("/echanges/").content.decode()
    assert "1 envoi en échec" in page and "Le DMP a répondu 503" in page and "Relancer" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/echanges/{envoi.public_id}/relancer/", {"suite": "/echanges/?statut=echec"})
    assert r.status_code == 302 and r["Location"] == "/echanges/?statut=echec"
    with tenant_context(og_a.organisme.pk):
        envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE and envoi.traite_par_id == og_a["infirmier"].pk
    r = client.post(f"/echanges/{envoi.public_id}/annuler/", {"suite": "https://ailleurs.example/"})
    assert r["Location"] == "/echanges/"  # no open redirect
    assert "déjà parti ou annulé" in client.get("/echanges/").content.decode()
    # Read-only role: sees, cannot act.
    aide = client_de(og_a["aide_soignant"])
    assert "Relancer" not in aide.get("/echanges/").content.decode()
    assert aide.post(f"/echanges/{envoi.public_id}/annuler/").status_code == 404


def test_exchange_pages_query_counts_are_pinned(og_a, client_de, serveur_dmp):
    """The exchanges list, a document's sending page, the dossier's tab and the indicators: the same number of
    queries with one exchange or six (no N+1)."""
    usager = personne(og_a)
    document = document_pret(og_a, usager)
    with tenant_context(og_a.organisme.pk):
        services.do_demander_envoi_dmp(og_a["medecin"], document)
    infirmier, directeur = client_de(og_a["infirmier"]), client_de(og_a["directeur"])
    pages = [
        (infirmier, "/echanges/"),
        (infirmier, f"/echanges/document/{document.public_id}/"),
        (directeur, f"/echanges/dossier/{usager.public_id}/"),
        (directeur, f"/echanges/indicateurs/{og_a.ehpad.public_id}/"),
    ]
    for client, url in pages:
        client.get(url)
    avant = [nombre_de_requetes(client, url) for client, url in pages]
    with tenant_context(og_a.organisme.pk):
        for i in range(5):
            autre = personne(og_a, nom_naissance=f"N{i}")
            services.do_demander_envoi_dmp(og_a["medecin"], document_pret(og_a, autre))
            services.do_demander_envoi_mssante(og_a["medecin"], document, f"dr{i}@medecin.mssante.fr")
        services.relayer()
    assert [nombre_de_requetes(client, url) for client, url in pages] == avant == PINNED


def test_other_tenant_and_roles_get_404(og_a, og_b, envoyable, client_de):
    usager, document = envoyable
    with tenant_context(og_a.organisme.pk):
        envoi = services.do_demander_envoi_dmp(og_a["medecin"], document)
    b = client_de(og_b["medecin"])
    for url in (
        f"/echanges/document/{document.public_id}/",
        f"/echanges/dossier/{usager.public_id}/",
        f"/echanges/dossier/{usager.public_id}/fhir/{og_a.ehpad.public_id}/",
        f"/echanges/indicateurs/{og_a.ehpad.public_id}/",
    ):
        assert b.get(url).status_code == 404, url
    for action in ("relancer", "annuler"):
        assert b.post(f"/echanges/{envoi.public_id}/{action}/").status_code == 404
    assert str(envoi.public_id) not in b.get("/echanges/").content.decode()
    assert b.post(f"/echanges/document/{document.public_id}/", {"formulaire": "dmp"}).status_code == 404
    # Pharmacien (no documents), aide-soignant (read only): no sending page; educator: no "soins" document.
    for role in ("pharmacien", "aide_soignant", "educateur"):
        assert client_de(og_a[role]).get(f"/echanges/document/{document.public_id}/").status_code == 404, role
    assert client_de(og_a["pharmacien"]).get("/echanges/").status_code == 404
    # Indicators: pilotage only.
    assert (
        client_de(og_a["infirmier"]).get(f"/echanges/indicateurs/{og_a.ehpad.public_id}/").status_code == 404
    )
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.EN_ATTENTE


def test_fhir_download_is_journaled_and_parses(og_a, og_b, envoyable, client_de):
    usager, _document = envoyable
    client = client_de(og_a["chef_service"])
    page = client.get(f"/echanges/dossier/{usager.public_id}/").content.decode()
    url = f"/echanges/dossier/{usager.public_id}/fhir/{og_a.ehpad.public_id}/"
    assert url in page
    r = client.get(url)
    assert r.status_code == 200 and r["Content-Type"] == "application/fhir+json"
    bundle = json.loads(r.content)
    Bundle.model_validate(bundle)
    assert MATRICULE in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert (
            JournalAcces.objects.filter(type_acces="export", professionnel=og_a["chef_service"]).count() == 1
        )
    assert client_de(og_a["aide_soignant"]).get(url).status_code == 404
    # An ESMS of the organisme where the person has no séjour: nothing.
    assert client.get(f"/echanges/dossier/{usager.public_id}/fhir/{og_a.mas.public_id}/").status_code == 404


def test_fhir_sent_from_the_dossier(
    og_a, envoyable, client_de, serveur_fhir, django_capture_on_commit_callbacks
):
    usager, _document = envoyable
    client = client_de(og_a["chef_service"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/echanges/dossier/{usager.public_id}/", {"etablissement": og_a.ehpad.public_id})
    assert r.status_code == 302
    assert [e.statut for e in _envois(og_a)] == [StatutEnvoi.ENVOYE] and len(serveur_fhir.bundles) == 1
    r = client.post(f"/echanges/dossier/{usager.public_id}/", {"etablissement": "pas-un-uuid"})
    assert r.status_code == 200 and "n’est pas un UUID valide" in r.content.decode()
    r = client.post(f"/echanges/dossier/{usager.public_id}/", {"etablissement": og_a.mas.public_id})
    assert r.status_code == 200 and "Sélectionnez un choix valide" in r.content.decode()  # no séjour there
    assert len(_envois(og_a)) == 1


def test_indicators_computed_from_the_data(og_a, client_de, serveur_dmp, serveur_smtp):
    qualifiee = personne(og_a)
    personne(og_a, qualifiee=False, nom_naissance="Provisoire")
    with tenant_context(og_a.organisme.pk):
        services.do_demander_envoi_dmp(og_a["medecin"], document_pret(og_a, qualifiee))
        services.do_demander_envoi_mssante(
            og_a["medecin"], document_pret(og_a, qualifiee, titre="DLU 2"), "anne@medecin.mssante.fr"
        )
        services.relayer()
    page = client_de(og_a["directeur"]).get(f"/echanges/indicateurs/{og_a.ehpad.public_id}/").content.decode()
    import re

    def ligne(nom):
        return re.sub(
            r"\s+", " ", re.search(rf'data-testid="indicateur-{nom}">(.*?)</tr>', page, re.S).group(1)
        )

    assert "<td>2</td>" in ligne("actifs")
    assert "1 (50 %)" in ligne("ins")
    assert "<td>1 <ul" in ligne("dmp") and "Document de liaison d&#x27;urgence : 1" in ligne("dmp")
    assert "<td>1</td>" in ligne("mss")
    assert "0 (0 %)" in ligne("pp")


def test_dossier_closed_by_an_exception_is_hidden_from_the_exchanges(og_a, envoyable, client_de):
    from guardian.shortcuts import assign_perm

    usager, document = envoyable
    with tenant_context(og_a.organisme.pk):
        services.do_demander_envoi_dmp(og_a["medecin"], document)
        assign_perm("usagers.refuser_documents", og_a["infirmier"], usager)
    assert "DUPONT Hélène" not in client_de(og_a["infirmier"]).get("/echanges/").content.decode()
    assert "DUPONT Hélène" in client_de(og_a["educateur"]).get("/echanges/").content.decode()


def test_indicators_period_and_bad_date(og_a, client_de):
    client = client_de(og_a["directeur"])
    url = f"/echanges/indicateurs/{og_a.ehpad.public_id}/"
    page = client.get(url).content.decode()
    assert f'value="{datetime.date.today().year}-01-01"' in page
    page = client.get(url + "?depuis=2025-06-01").content.decode()
    assert "depuis le 01/06/2025" in page
    r = client.get(url + "?depuis=2026-13-45")
    assert r.status_code == 200 and "Saisissez une date valide" in r.content.decode()


def test_relay_task_is_bound_to_its_organisme(og_a, og_b, serveur_dmp):
    from dui.tasks import TenantContextError
    from interop.tasks import relayer, relayer_tous

    with tenant_context(og_a.organisme.pk):
        envoi_a = services.do_demander_envoi_dmp(og_a["medecin"], document_pret(og_a, personne(og_a)))
    with tenant_context(og_b.organisme.pk):
        envoi_b = services.do_demander_envoi_dmp(og_b["medecin"], document_pret(og_b, personne(og_b)))
    assert relayer.delay(organisme_id=og_b.organisme.pk).get() == {"envoye": 1, "reessai": 0, "echec": 0}
    with tenant_context(og_a.organisme.pk):
        envoi_a.refresh_from_db()
    with tenant_context(og_b.organisme.pk):
        envoi_b.refresh_from_db()
    assert (envoi_a.statut, envoi_b.statut) == (StatutEnvoi.EN_ATTENTE, StatutEnvoi.ENVOYE)
    with pytest.raises(TenantContextError):
        relayer.delay().get()
    assert relayer_tous.delay().get() >= 2  # beat: one relay per organisme, which sends A's
    with tenant_context(og_a.organisme.pk):
        envoi_a.refresh_from_db()
    assert envoi_a.statut == StatutEnvoi.ENVOYE and len(serveur_dmp.documents) == 2


def test_dossier_tab_and_fhir_export_need_their_rights(og_a, envoyable, client_de, serveur_fhir):
    usager, _document = envoyable
    url = f"/echanges/dossier/{usager.public_id}/"
    assert client_de(og_a["pharmacien"]).get(url).status_code == 404  # no documents habilitation
    aide = client_de(og_a["aide_soignant"])
    page = aide.get(url).content.decode()
    assert "Échanges du dossier" in page and "Export FHIR" not in page
    assert aide.post(url, {"etablissement": og_a.ehpad.public_id}).status_code == 404
    assert _envois(og_a) == [] and serveur_fhir.bundles == {}
