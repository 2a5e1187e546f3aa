"""Secure messages between a relative and the team; the online agreement on the PP; the shared documents;
the home page; query counts of the inbox and the portal's home."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accompagnement.models import AvisValidation, Observation, StatutPP
from dui.tenancy import tenant_context
from relation import services
from relation.models import Fil, Message, PartageDocument
from tests.accompagnement.conftest import projet_en_co_construction
from tests.relation.conftest import creer_compte, espace_de_claire, inviter, proche, texte, tutelle

pytestmark = pytest.mark.django_db


def _jpeg() -> bytes:
    from PIL import Image

    tampon = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(tampon, "JPEG")
    return tampon.getvalue()


def test_un_fil_du_proche_a_l_equipe_et_retour(og_a, client_de):
    usager, acces, claire = espace_de_claire(og_a)
    base = f"/espace/{acces.public_id}/messages/"
    # a program renamed as a photo: refused in French, the text kept
    r = claire.post(base, {"objet": "Visite de dimanche", "texte": "Puis-je venir avec le chien ?",
                           "fichiers": SimpleUploadedFile("photo.jpg", b"MZ\x90\x00programme")})  # fmt: skip
    page = texte(r)
    assert (
        r.status_code == 200
        and "n'est ni un PDF, ni une image" in page
        and "Puis-je venir avec le chien" in page
    )
    r = claire.post(base, {"objet": "Visite de dimanche", "texte": "Puis-je venir avec le chien ?",
                           "fichiers": SimpleUploadedFile("chien.jpg", _jpeg(), content_type="image/jpeg")})  # fmt: skip
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        fil = Fil.objects.get(acces=acces)
        assert fil.non_lus_equipe == 1 and fil.messages.get().pieces.get().nom == "chien.pdf"
    # the team inbox shows it, unread, to the educator; not to the aide-soignant (no social category)
    educ = client_de(og_a["educateur"])
    boite = reverse("relation:boite", args=[og_a.ehpad.public_id])
    assert "Visite de dimanche" in texte(educ.get(boite))
    assert client_de(og_a["aide_soignant"]).get(boite).status_code == 404
    accueil = texte(educ.get("/"))
    assert "1 fil avec des messages non lus" in accueil
    # assignment: the referent gets an e-mail that says only that a thread is waiting
    mail.outbox.clear()
    r = educ.post(reverse("relation:fil_action", args=[fil.public_id]),
                  {"action": "attribuer", "referent": og_a["psychologue"].pk})  # fmt: skip
    assert r.status_code == 302 and mail.outbox[-1].to == [og_a["psychologue"].email]
    assert "chien" not in mail.outbox[-1].body
    psy = client_de(og_a["psychologue"])
    r = psy.get(fil.get_absolute_url())
    assert "Puis-je venir avec le chien" in texte(r)
    with tenant_context(og_a.organisme.pk):
        assert Message.objects.get(fil=fil).lu_le is not None  # read by the team
        assert Fil.objects.get(pk=fil.pk).non_lus_equipe == 0
    mail.outbox.clear()
    r = psy.post(fil.get_absolute_url(), {"texte": "Bien sûr, en laisse dans le jardin."})
    assert r.status_code == 302
    notification = mail.outbox[-1]
    assert notification.to == [claire.compte.email] and "jardin" not in notification.body
    # the daughter reads the answer; the mark goes to the team's message
    r = claire.get(f"{base}{fil.public_id}/")
    assert "en laisse dans le jardin" in texte(r)
    with tenant_context(og_a.organisme.pk):
        assert Message.objects.filter(fil=fil, auteur_pro__isnull=False, lu_le__isnull=False).count() == 1
    # the attachment is read by the team and by the daughter, not by a relative of another thread
    with tenant_context(og_a.organisme.pk):
        piece = Message.objects.filter(fil=fil, pieces__isnull=False).get().pieces.get()
    assert psy.get(reverse("relation:piece", args=[piece.public_id])).status_code == 200
    assert claire.get(f"/espace/{acces.public_id}/pieces/{piece.public_id}/").status_code == 200
    # filed in the journal de suivi
    with tenant_context(og_a.organisme.pk):
        premier = Message.objects.filter(fil=fil).order_by("envoye_le").first()
    r = psy.post(reverse("relation:classer", args=[premier.public_id]))
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        obs = Observation.objects.get(usager=usager)
        assert obs.categorie == "famille" and "Puis-je venir avec le chien" in obs.texte
        assert Message.objects.get(pk=premier.pk).classe_le is not None


def test_deux_proches_ne_lisent_pas_les_fils_l_un_de_l_autre(og_a):
    usager, acces, claire = espace_de_claire(og_a)
    paul = proche(og_a, usager, prenom="Paul")
    acces_paul = inviter(og_a, usager, "paul@exemple.test", le_proche=paul)
    client_paul = creer_compte("paul@exemple.test", prenom="Paul")
    claire.post(f"/espace/{acces.public_id}/messages/", {"objet": "Privé", "texte": "Entre nous"})
    with tenant_context(og_a.organisme.pk):
        fil = Fil.objects.get(acces=acces)
    assert client_paul.get(f"/espace/{acces_paul.public_id}/messages/{fil.public_id}/").status_code == 404
    assert client_paul.get(f"/espace/{acces.public_id}/messages/{fil.public_id}/").status_code == 404
    assert "Privé" not in texte(client_paul.get(f"/espace/{acces_paul.public_id}/messages/"))


def test_accord_en_ligne_du_representant_et_pas_d_un_proche(og_a):
    usager, acces, claire = espace_de_claire(og_a)
    pp = projet_en_co_construction(og_a, usager)
    url = f"/espace/{acces.public_id}/projet/"
    page = texte(claire.get(url))
    assert "Marcher jusqu'au jardin" in page and "Votre avis sur ce projet" not in page
    assert claire.post(url, {"decision": "accord"}).status_code == 404  # a relative reads, does not decide
    fils = proche(og_a, usager, prenom="Paul", representant_legal=True)
    tutelle(og_a, usager)
    acces_paul = inviter(og_a, usager, "paul@exemple.test", qualite="representant", le_proche=fils)
    paul = creer_compte("paul@exemple.test", prenom="Paul")
    url = f"/espace/{acces_paul.public_id}/projet/"
    assert "Votre avis sur ce projet" in texte(paul.get(url))
    r = paul.post(url, {"decision": "refus"})
    assert r.status_code == 200 and "Indiquez le motif du refus" in texte(r)
    r = paul.post(url, {"decision": "accord"})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        pp.refresh_from_db()
        avis = AvisValidation.objects.get(projet=pp)
        assert pp.statut == StatutPP.EN_OEUVRE and avis.modalite == "en_ligne" and avis.recueilli_par is None
        assert avis.exprime_par == "representant" and "Paul" in avis.donne_en_ligne_par


def test_documents_partages(og_a, client_de):
    from tests.balayage import _documents_deposes

    usager, acces, claire = espace_de_claire(og_a)
    docs = _documents_deposes(og_a, usager, "")
    lettre = docs["document_depose"]
    agent = client_de(og_a["agent_administratif"])
    r = agent.post(reverse("relation:partager", args=[usager.public_id]), {"document": lettre.public_id})
    assert r.status_code == 302
    page = texte(claire.get(f"/espace/{acces.public_id}/documents/"))
    assert lettre.titre in page
    with tenant_context(og_a.organisme.pk):
        partage = PartageDocument.objects.get(document=lettre)
    r = claire.get(f"/espace/{acces.public_id}/documents/{partage.public_id}/")
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF")
    # a restricted document cannot be shared
    with tenant_context(og_a.organisme.pk):
        type(lettre).objects.filter(pk=docs["document_a_detruire"].pk).update(confidentialite="restreinte")
        with pytest.raises(Exception) as erreur:
            services.do_partager(
                og_a["agent_administratif"], type(lettre).objects.get(pk=docs["document_a_detruire"].pk)
            )
    assert "restreinte" in str(erreur.value)
    agent.post(reverse("relation:retirer_partage", args=[partage.public_id]))
    assert claire.get(f"/espace/{acces.public_id}/documents/{partage.public_id}/").status_code == 404


def test_requetes_de_la_boite_et_de_l_espace_ne_grandissent_pas(og_a, client_de):
    usager, acces, claire = espace_de_claire(og_a)
    educ = client_de(og_a["educateur"])
    boite = reverse("relation:boite", args=[og_a.ehpad.public_id])
    accueil_espace = f"/espace/{acces.public_id}/"

    def compter(client, url):
        with CaptureQueriesContext(connection) as requetes:
            assert client.get(url).status_code == 200
        return len(requetes)

    claire.post(f"/espace/{acces.public_id}/messages/", {"objet": "Un", "texte": "Premier"})
    compter(educ, boite), compter(claire, accueil_espace)  # the first page of a session loads its rights
    petit = compter(educ, boite), compter(claire, accueil_espace)
    for i in range(6):
        claire.post(f"/espace/{acces.public_id}/messages/", {"objet": f"Fil {i}", "texte": "Encore"})
    grand = compter(educ, boite), compter(claire, accueil_espace)
    assert petit == grand == (BOITE, ESPACE)


BOITE, ESPACE = 7, 16  # the inbox; the home of the space (the test transaction adds its savepoints)
