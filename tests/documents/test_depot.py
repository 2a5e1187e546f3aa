"""Files brought into the dossier (issue 18): the hostile ones are refused with a French message, nothing is
stored and nothing typed is lost; the good ones become PDFs with a preview, versions, a classification
history, and an "entered in error" mark instead of a deletion."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from documents import fichiers as verification
from documents import services
from documents.models import Document
from dui.tenancy import tenant_context

from .conftest import (
    bombe,
    classe,
    deposer,
    fichier,
    pdf_avec_javascript,
    pdf_chiffre,
    pdf_texte,
    photo,
    sans_outil,
    sejour_de,
)


def _poster(client, personne, tenant, fichiers, **donnees):
    valeurs = {
        "classe": classe(tenant, "courrier-medical").pk,
        "sejour": sejour_de(tenant, personne).pk,
        "titre": "Compte rendu du Dr Martin",
        "date_document": "2026-11-20",
        "source_libre": "CHU de Rennes, gériatrie",
        "etiquettes": "cardiologie, suivi",
        "mode": "fichiers",
        "fichiers": fichiers,
    }
    valeurs.update(donnees)
    return client.post(reverse("documents:deposer", args=[personne.public_id]), valeurs)


def _rien_de_stocke(tenant):
    with tenant_context(tenant.organisme.pk):
        assert Document.objects.count() == 0
    racine = Path(settings.MEDIA_ROOT) / "documents"
    assert not racine.exists() or not any(p.is_file() for p in racine.rglob("*"))


HOSTILES = [
    ("programme.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "ni un PDF, ni une image"),
    ("rapport.pdf", b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "ni un PDF, ni une image"),
    ("vide.pdf", b"", "est vide (0 octet)"),
    ("chiffre.pdf", None, "protégé par mot de passe"),
    ("facture.pdf", None, "contenu actif (JavaScript)"),
    ("bombe.png", None, "plus qu'une page"),
    ("tronque.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog", "n'est pas un PDF lisible"),
]


@pytest.mark.parametrize(("nom", "contenu", "message"), HOSTILES, ids=[h[0] for h in HOSTILES])
def test_fichiers_hostiles_refuses_sans_rien_stocker(plan_a, personne, client_de, nom, contenu, message):
    if contenu is None:
        contenu = {"chiffre.pdf": pdf_chiffre, "facture.pdf": pdf_avec_javascript, "bombe.png": bombe}[nom]()
    client = client_de(plan_a["infirmier"])
    r = _poster(client, personne, plan_a, [fichier(nom, contenu)])
    assert r.status_code == 200
    page = html.unescape(r.content.decode())
    assert message in page, page[:4000]
    assert f"« {nom} »" in page or nom == "programme.pdf" and "programme.pdf" in page
    # what was typed is still there
    assert (
        "Compte rendu du Dr Martin" in page
        and "CHU de Rennes, gériatrie" in page
        and "cardiologie, suivi" in page
    )
    _rien_de_stocke(plan_a)


def test_un_fichier_hostile_parmi_des_bons_ne_laisse_rien(plan_a, personne, client_de):
    client = client_de(plan_a["infirmier"])
    r = _poster(
        client,
        personne,
        plan_a,
        [fichier("bon.pdf", pdf_texte("Un bon compte rendu")), fichier("mauvais.pdf", b"MZ" + b"\x00" * 100)],
    )
    assert r.status_code == 200 and "« mauvais.pdf »" in r.content.decode()
    _rien_de_stocke(plan_a)


def test_fichier_trop_gros_arrete_pendant_le_transfert(plan_a, personne, client_de, settings):
    settings.DUI_MAX_DOCUMENT = 256 * 1024
    client = client_de(plan_a["infirmier"])
    gros = pdf_texte("gros") + b"%" + b"0" * (400 * 1024)
    r = _poster(client, personne, plan_a, [fichier("scan-geant.pdf", gros)])
    page = html.unescape(r.content.decode())
    assert r.status_code == 200 and "« scan-geant.pdf » dépasse la taille maximale de 256 Ko" in page
    assert "Compte rendu du Dr Martin" in page
    _rien_de_stocke(plan_a)


def test_le_gestionnaire_d_envoi_saute_le_fichier_des_la_limite(rf, settings):
    """The handler itself: past the limit it skips the file (Django then reads the rest off the wire without
    storing it) and records its name for the form."""
    from django.core.files.uploadhandler import SkipFile

    from dui.uploads import LimiteParFichier, fichiers_trop_gros

    settings.DUI_MAX_DOCUMENT = 10
    requete = rf.post("/")
    gestionnaire = LimiteParFichier(requete)
    gestionnaire.new_file("fichiers", "gros.pdf", "application/pdf", 100)
    assert gestionnaire.receive_data_chunk(b"0123456789", 0) == b"0123456789"
    with pytest.raises(SkipFile):
        gestionnaire.receive_data_chunk(b"a", 10)
    assert fichiers_trop_gros(requete) == ["gros.pdf"]


def test_deposer_un_pdf_puis_le_retrouver_avec_apercu(
    plan_a, personne, client_de, django_capture_on_commit_callbacks
):
    client = client_de(plan_a["infirmier"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _poster(
            client, personne, plan_a, [fichier("cr.pdf", pdf_texte("Fibrillation auriculaire connue"))]
        )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(plan_a.organisme.pk):
        d = Document.objects.get()
        assert (d.titre, d.categorie, d.origine, d.pages, d.etiquettes) == (
            "Compte rendu du Dr Martin",
            "medical",
            "depose",
            1,
            ["cardiologie", "suivi"],
        )
        assert str(d.date_document) == "2026-11-20" and d.etablissement == plan_a.ehpad
        assert d.indexation == "faite" and "Fibrillation auriculaire" in d.texte
    fiche = client.get(r["Location"]).content.decode()
    assert "Compte rendu du Dr Martin" in fiche and "CHU de Rennes" in fiche
    if not sans_outil("pdftoppm"):
        apercu = client.get(reverse("documents:apercu", args=[d.public_id]))
        assert apercu.status_code == 200 and b"".join(apercu.streaming_content).startswith(b"\x89PNG")
    pdf = client.get(reverse("documents:fichier", args=[d.public_id]))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_photos_assemblees_en_un_seul_pdf(plan_a, personne, client_de):
    client = client_de(plan_a["infirmier"])
    r = _poster(
        client,
        personne,
        plan_a,
        [fichier("page-1.jpg", photo("Page une")), fichier("page-2.png", photo("Page deux", format_="PNG"))],
        mode="pages",
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(plan_a.organisme.pk):
        d = Document.objects.get()
        assert d.pages == 2
        with d.fichier.open("rb") as f:
            assert f.read(5) == b"%PDF-"


def test_photo_heic_convertie(plan_a, personne):
    import io

    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    sortie = io.BytesIO()
    Image.open(io.BytesIO(photo("HEIC"))).save(sortie, "HEIF")
    assert verification.nature(sortie.getvalue()[:16]) == "heic"
    (d,) = deposer(plan_a, personne, sortie.getvalue(), nom="IMG_0001.HEIC")
    assert d.pages == 1 and d.taille > 0


def test_sans_droit_ou_autre_organisme(plan_a, plan_b, personne, client_de):
    url = reverse("documents:deposer", args=[personne.public_id])
    # the pharmacist has no "documents" right; the aide-soignant reads documents but does not write them
    assert client_de(plan_a["pharmacien"]).get(url).status_code == 404
    assert client_de(plan_a["aide_soignant"]).get(url).status_code == 404
    assert client_de(plan_b["infirmier"]).get(url).status_code == 404
    # the educator files documents but does not read the medical category: not offered, and refused if forced
    educatrice = client_de(plan_a["educateur"])
    formulaire = educatrice.get(url).content.decode()
    assert "Rapport social" in formulaire and "Courrier médical" not in formulaire
    r = _poster(educatrice, personne, plan_a, [fichier("cr.pdf", pdf_texte("x"))])
    assert r.status_code == 200 and "Sélectionnez un choix valide" in r.content.decode()
    with tenant_context(plan_a.organisme.pk):
        with pytest.raises(ValidationError, match="catégorie « Médical »"):
            services.do_deposer(
                plan_a["educateur"],
                usager=personne,
                sejour=sejour_de(plan_a, personne),
                classe=classe(plan_a, "courrier-medical"),
                fichiers=[fichier("cr.pdf", pdf_texte("x"))],
            )
    _rien_de_stocke(plan_a)


def test_classe_d_un_autre_organisme_refusee(plan_a, plan_b, personne, client_de):
    client = client_de(plan_a["infirmier"])
    r = _poster(
        client,
        personne,
        plan_a,
        [fichier("cr.pdf", pdf_texte("x"))],
        classe=classe(plan_b, "courrier-medical").pk,
    )
    assert r.status_code == 200 and "Sélectionnez un choix valide" in r.content.decode()
    _rien_de_stocke(plan_a)


def test_nouvelle_version_reclassement_et_erreur(plan_a, personne, client_de):
    (d,) = deposer(plan_a, personne, pdf_texte("Version un"), etiquettes=["a"])
    client = client_de(plan_a["infirmier"])
    r = client.post(
        reverse("documents:version", args=[d.public_id]),
        {"fichiers": [fichier("v2.pdf", pdf_texte("Version deux"))]},
    )
    assert r.status_code == 302
    with tenant_context(plan_a.organisme.pk):
        v1, v2 = Document.objects.order_by("version")
        assert (v1.version, v1.derniere_version, v2.version, v2.remplace_id, v2.objet_id) == (
            1,
            False,
            2,
            v1.pk,
            v1.objet_id,
        )
    # an older version cannot receive a new one
    r = client.post(
        reverse("documents:version", args=[v1.public_id]), {"fichiers": [fichier("v3.pdf", pdf_texte("x"))]}
    )
    assert (
        "Ce document ne peut pas recevoir" in r.content.decode()
        or "Une version plus récente" in r.content.decode()
    )
    page = client.get(reverse("documents:dossier", args=[personne.public_id])).content.decode()
    assert page.count('data-testid="document"') == 1 and "version 2" in page
    # reclassified into another type and ESMS séjour: kept in the history
    with tenant_context(plan_a.organisme.pk):
        from tests.factories import SejourFactory

        autre = SejourFactory(
            usager=personne, etablissement=plan_a.ehpad, date_entree="2024-01-01", date_sortie="2024-12-31"
        )
    r = client.post(
        reverse("documents:classer", args=[v2.public_id]),
        {
            "classe": classe(plan_a, "resultats-examens").pk,
            "sejour": autre.pk,
            "titre": "Bilan sanguin",
            "date_document": "2024-06-01",
            "etiquettes": "biologie",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    fiche = client.get(reverse("documents:fiche", args=[v2.public_id])).content.decode()
    assert "Bilan sanguin" in fiche and "type, titre, date du document, séjour" in fiche
    # entered in error: a reason is required, then the line stays, struck through
    r = client.post(reverse("documents:erreur", args=[v2.public_id]), {"motif": "x"})
    assert "5 caractères au moins" in r.content.decode()
    r = client.post(reverse("documents:erreur", args=[v2.public_id]), {"motif": "Mauvais dossier (homonyme)"})
    assert r.status_code == 302
    page = client.get(reverse("documents:dossier", args=[personne.public_id])).content.decode()
    assert "<s>Bilan sanguin</s>" in page and "saisi par erreur" in page
    with tenant_context(plan_a.organisme.pk):
        assert Document.objects.count() == 2  # nothing deleted


def test_le_plan_de_classement_decide_qui_lit(plan_a, personne, client_de):
    (medical,) = deposer(plan_a, personne, pdf_texte("Courrier"), titre="Courrier du cardiologue")
    (social,) = deposer(
        plan_a,
        personne,
        pdf_texte("Rapport"),
        code="ecrit-social",
        auteur="educateur",
        titre="Rapport de l'ASE",
    )
    educatrice = client_de(plan_a["educateur"])
    page = html.unescape(
        educatrice.get(reverse("documents:dossier", args=[personne.public_id])).content.decode()
    )
    assert social.titre in page and medical.titre not in page
    for nom in ("fiche", "fichier", "apercu", "vignette", "classer"):
        assert educatrice.get(reverse(f"documents:{nom}", args=[medical.public_id])).status_code == 404


def test_verification_directe_des_noms_actifs():
    assert verification.nature(b"%PDF-1.4") == "pdf" and verification.nature(b"GIF89a") is None
    with pytest.raises(Exception, match="contenu actif"):
        verification.verifier_pdf(pdf_avec_javascript(), "x.pdf")
    assert verification.verifier_pdf(pdf_texte("a\nb"), "x.pdf") == 1


def test_la_vignette_double_le_lien_du_titre_sans_lien_muet(plan_a, personne, client_de):
    """The thumbnail's link repeats the title's (same page): hidden from assistive technologies and out of the
    tab order, or axe-core reports a link without text (« link-name », serious) — once the worker has drawn the
    thumbnail, which made a browser test fail only when the worker was quick enough."""
    (doc,) = deposer(plan_a, personne, pdf_texte("Courrier"), titre="Courrier du cardiologue")
    with tenant_context(plan_a.organisme.pk):
        if not Document.objects.get(pk=doc.pk).vignette:
            Document.objects.filter(pk=doc.pk).update(vignette=f"documents/vignette-{doc.public_id}.png")
    page = client_de(plan_a["medecin"]).get(reverse("documents:dossier", args=[personne.public_id]))
    fiche = reverse("documents:fiche", args=[doc.public_id])
    contenu = page.content.decode()
    assert f'<a href="{fiche}" tabindex="-1" aria-hidden="true"><img class="vignette"' in contenu
    assert f'<a href="{fiche}">Courrier du cardiologue</a>' in contenu  # the title stays the link to follow
