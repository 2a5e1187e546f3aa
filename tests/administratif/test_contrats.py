"""Contrat de séjour / DIPC (issue 18, part 5): templates with variables, drawing up, handing, signature on a
tablet sealed by a hash (recomputed from what is stored, printed on the PDF), scanned signed copy, refusal,
documents handed at admission, the legal deadlines around their boundaries, the director's list, other
organisme and missing rights kept out."""

from __future__ import annotations

import base64
import datetime
import hashlib
import html
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from administratif import contrats, services
from administratif.models import Contrat, RemiseDocument
from documents.models import Document
from documents.pdf import texte_du_pdf
from dui.tenancy import tenant_context
from tests.documents.conftest import fichier, pdf_texte
from tests.factories import SejourFactory, UsagerFactory

D = datetime.date

CORPS = """# Contrat de séjour

Entre {{ etablissement }} et {{ prenom }} {{ nom }}, admise le {{ date_entree }} en {{ mode_accueil }}.

# Article 1
Chambre {{ chambre }}."""


def signature_png(vide=False) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 300), "white")
    if not vide:
        ImageDraw.Draw(image).line([(100, 200), (300, 80), (500, 220), (800, 90)], fill="black", width=4)
    sortie = io.BytesIO()
    image.save(sortie, "PNG")
    return sortie.getvalue()


@pytest.fixture
def admise(og_a):
    with tenant_context(og_a.organisme.pk):
        u = UsagerFactory(
            organisme=og_a.organisme,
            nom_naissance="Durand",
            premier_prenom="Alice",
            prenoms_naissance=["Alice"],
        )
        sejour = SejourFactory(
            usager=u,
            etablissement=og_a.ehpad,
            date_entree=timezone.localdate() - datetime.timedelta(days=5),
            chambre="8",
        )
        modele = services.do_enregistrer_modele(
            og_a.admin, nom="Contrat EHPAD", genre="contrat", corps=CORPS, actif=True
        )
    return {"usager": u, "sejour": sejour, "modele": modele}


# --- the deadlines (pure) -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jour", "remis", "code"),
    [
        (D(2026, 11, 25), None, "a_remettre"),  # admission 10/11: handed by 25/11
        (D(2026, 11, 26), None, "remise_en_retard"),
        (D(2026, 12, 10), D(2026, 11, 20), "a_signer"),  # signed by 10/12
        (D(2026, 12, 11), D(2026, 11, 20), "signature_en_retard"),
    ],
)
def test_echeances_autour_des_limites(jour, remis, code):
    assert contrats.echeances(D(2026, 11, 10)) == (D(2026, 11, 25), D(2026, 12, 10))
    assert contrats.etat(D(2026, 11, 10), remis, None, False, jour).code == code


def test_un_mois_apres_le_31_janvier():
    assert contrats.echeances(D(2027, 1, 31))[1] == D(2027, 2, 28)
    assert contrats.etat(D(2027, 1, 31), D(2027, 2, 1), D(2027, 3, 1), False, D(2027, 3, 2)).libelle.endswith(
        "(hors délai)"
    )


def test_variables_inconnues_refusees(og_a):
    with tenant_context(og_a.organisme.pk), pytest.raises(ValidationError, match="{{ adresse_facturation }}"):
        services.do_enregistrer_modele(
            og_a.admin, nom="X", genre="contrat", corps="{{ adresse_facturation }}"
        )


# --- the whole path -----------------------------------------------------------------------------------------


def test_etablir_remettre_signer_sur_tablette_et_l_empreinte(
    og_a, og_b, admise, client_de, django_capture_on_commit_callbacks
):
    agent = client_de(og_a["agent_administratif"])
    usager = admise["usager"]
    url = reverse("administratif:contrats", args=[usager.public_id])
    with django_capture_on_commit_callbacks(execute=True):
        r = agent.post(
            reverse("administratif:contrat_etablir", args=[usager.public_id]),
            {"modele": admise["modele"].pk, "sejour": admise["sejour"].pk},
        )
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(og_a.organisme.pk):
        contrat = Contrat.objects.get()
        assert "Entre EHPAD A et Alice DURAND" in contrat.texte or "Alice" in contrat.texte
        assert "{{" not in contrat.texte and "Chambre 8." in contrat.texte
        brouillon = Document.objects.get(objet_id=contrat.public_id)
        assert brouillon.statut == "disponible"
    page = html.unescape(agent.get(url).content.decode())
    assert "à remettre au plus tard le" in page
    # handed, then signed on the tablet
    assert agent.post(reverse("administratif:contrat_remettre", args=[usager.public_id, contrat.public_id]),
                      {"remise-remis_le": f"{timezone.localdate():%Y-%m-%d}", "remise-remis_a": "Alice Durand"}).status_code == 302  # fmt: skip
    signer = reverse("administratif:contrat_signer", args=[usager.public_id, contrat.public_id])
    assert "Chambre 8." in agent.get(signer).content.decode()
    donnees = {"signataire": "Alice Durand", "qualite": "personne"}
    r = agent.post(signer, {**donnees, "signature": ""})
    assert "La signature n&#x27;a pas été reçue" in r.content.decode()
    vide = "data:image/png;base64," + base64.b64encode(signature_png(vide=True)).decode()
    r = agent.post(signer, {**donnees, "signature": vide})
    assert "Le cadre est vide" in r.content.decode() and "Alice Durand" in r.content.decode()
    image = signature_png()
    with django_capture_on_commit_callbacks(execute=True):
        r = agent.post(
            signer, {**donnees, "signature": "data:image/png;base64," + base64.b64encode(image).decode()}
        )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        contrat.refresh_from_db()
        signe = contrat.document_signe
        assert signe.statut == "disponible" and signe.version == 2
        # the seal: recomputed from what is stored, equal to the one kept and to the one printed on the PDF
        with contrat.signature.open("rb") as f:
            assert f.read() == image
        attendu = contrats.empreinte(contrat.texte, "Alice Durand", "personne", contrat.signe_le, image)
        assert contrat.empreinte == attendu
        with signe.fichier.open("rb") as f:
            pdf = f.read()
        assert signe.sha256 == hashlib.sha256(pdf).hexdigest()
    texte = texte_du_pdf(pdf).replace("\n", "")
    assert attendu in texte and "Alice Durand" in texte
    page = html.unescape(agent.get(url).content.decode())
    assert "signé le" in page and "PDF signé" in page
    # a signed contract is not signed again
    r = agent.post(
        signer, {**donnees, "signature": "data:image/png;base64," + base64.b64encode(image).decode()}
    )
    assert "déjà signé" in html.unescape(r.content.decode())
    # other organisme, a nurse (reads the administrative record, does not write it), the pharmacist
    for client, attendu_tab in ((client_de(og_b["agent_administratif"]), 404), (client_de(og_a["infirmier"]), 200),
                                (client_de(og_a["pharmacien"]), 404)):  # fmt: skip
        assert client.get(url).status_code == attendu_tab
        assert client.get(signer).status_code == 404
        assert client.post(reverse("administratif:contrat_etablir", args=[usager.public_id]),
                           {"modele": admise["modele"].pk, "sejour": admise["sejour"].pk}).status_code == 404  # fmt: skip


def test_copie_signee_scannee_et_refus(og_a, admise, client_de, django_capture_on_commit_callbacks):
    agent = client_de(og_a["agent_administratif"])
    usager = admise["usager"]
    with tenant_context(og_a.organisme.pk):
        contrat = services.do_etablir_contrat(og_a["agent_administratif"], admise["sejour"], admise["modele"])
        autre = services.do_etablir_contrat(og_a["agent_administratif"], admise["sejour"], admise["modele"])
    r = agent.post(
        reverse("administratif:contrat_copie", args=[usager.public_id, contrat.public_id]),
        {
            "copie-fichiers": [fichier("contrat-signe.pdf", pdf_texte("Contrat signé à la main"))],
            "copie-signataire": "Paul Durand",
            "copie-qualite": "representant",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(og_a.organisme.pk):
        contrat.refresh_from_db()
        assert contrat.mode_signature == "scan" and contrat.empreinte == contrat.document_signe.sha256
        assert contrat.remis_le == timezone.localdate()
    # a renamed program is refused, in French, nothing changes
    r = agent.post(
        reverse("administratif:contrat_copie", args=[usager.public_id, autre.public_id]),
        {
            "copie-fichiers": [fichier("scan.pdf", b"MZ" + b"\0" * 100)],
            "copie-signataire": "Paul Durand",
            "copie-qualite": "representant",
        },
    )
    assert "ni un PDF, ni une image" in html.unescape(r.content.decode())
    r = agent.post(
        reverse("administratif:contrat_refus", args=[usager.public_id, autre.public_id]),
        {"refus-motif": "Refuse de signer sans son fils"},
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        autre.refresh_from_db()
        assert autre.refus_le and not autre.signe


def test_documents_remis_a_l_admission(og_a, og_b, admise, client_de):
    agent = client_de(og_a["agent_administratif"])
    usager, sejour = admise["usager"], admise["sejour"]
    url = reverse("administratif:remises", args=[usager.public_id, sejour.public_id])
    jour = f"{timezone.localdate():%Y-%m-%d}"
    assert (
        agent.post(
            url, {"admission-livret": jour, "admission-charte": jour, "admission-reglement": "2099-01-01"}
        ).status_code
        == 200
    )
    with tenant_context(og_a.organisme.pk):
        assert RemiseDocument.objects.count() == 0  # the future date refused everything
    assert (
        agent.post(
            url, {"admission-livret": jour, "admission-charte": jour, "admission-remis_a": "Alice Durand"}
        ).status_code
        == 302
    )
    page = html.unescape(
        agent.get(reverse("administratif:contrats", args=[usager.public_id])).content.decode()
    )
    assert "Livret d'accueil remis le" in page and "Charte des droits et libertés" in page
    assert client_de(og_b["agent_administratif"]).post(url, {"admission-livret": jour}).status_code == 404


def test_la_liste_du_directeur_et_les_rappels(og_a, og_b, admise, client_de):
    with tenant_context(og_a.organisme.pk):
        tard = UsagerFactory(
            organisme=og_a.organisme,
            nom_naissance="Tardif",
            premier_prenom="Jean",
            prenoms_naissance=["Jean"],
        )
        SejourFactory(
            usager=tard,
            etablissement=og_a.ehpad,
            date_entree=timezone.localdate() - datetime.timedelta(days=20),
        )
    directeur = client_de(og_a["directeur"])
    url = reverse("administratif:suivi_contrats", args=[og_a.ehpad.public_id])
    page = html.unescape(directeur.get(url).content.decode())
    assert page.count('data-testid="suivi"') == 2 and "1 en retard" in page
    assert "aucun contrat établi, à remettre avant le" in page
    for client in (client_de(og_a["infirmier"]), client_de(og_b["directeur"])):
        assert client.get(url).status_code == 404
    accueil = html.unescape(client_de(og_a["agent_administratif"]).get("/").content.decode())
    assert "En retard — contrat de séjour de" in accueil and "TARDIF" in accueil.upper()
    assert "contrat de séjour" not in client_de(og_b["agent_administratif"]).get("/").content.decode()


def test_modeles_par_l_administrateur(og_a, og_b, admise, client_de):
    admin = client_de(og_a.admin)
    page = admin.get(reverse("administratif:modele_nouveau")).content.decode()
    assert "{{ date_entree }}" in html.unescape(page)
    r = admin.post(
        reverse("administratif:modele_nouveau"),
        {"nom": "DIPC SESSAD", "genre": "dipc", "corps": "{{ inconnue }}", "actif": "on"},
    )
    assert "Variables inconnues" in r.content.decode() and "DIPC SESSAD" in r.content.decode()
    assert client_de(og_a["directeur"]).get(reverse("administratif:modeles")).status_code == 404
    assert (
        client_de(og_b.admin)
        .get(reverse("administratif:modele", args=[admise["modele"].public_id]))
        .status_code
        == 404
    )
