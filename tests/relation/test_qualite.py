"""Complaints (intake by any professional of the ESMS or from the space, workflow, answer letter) and adverse
events (declaration by anyone, analysis by the encadrement, actions, ARS declaration, closure; states enforced
by the database); the director's quality page with counts only; the other organisme sees nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse
from django.utils import timezone

from dui.tenancy import tenant_context
from relation import selectors
from relation.models import EvenementIndesirable, Reclamation
from tests.relation.conftest import espace_de_claire, texte
from tests.soins.conftest import creer_resident

pytestmark = pytest.mark.django_db


def test_reclamation_du_telephone_a_la_cloture(og_a, og_b, client_de):
    usager = creer_resident(
        og_a, nom_naissance="Lefort", premier_prenom="Jeanne", prenoms_naissance=["Jeanne"]
    )
    infirmiere = client_de(og_a["infirmier"])
    url = reverse("relation:reclamation_nouvelle", args=[og_a.ehpad.public_id])
    demain = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    donnees = {"canal": "telephone", "recue_le": demain, "auteur": "M. Lefort (fils)", "coordonnees": "06 11 22 33 44",
               "usager": usager.public_id, "objet": "Repas froids", "description": "Le repas du soir arrive froid."}  # fmt: skip
    r = infirmiere.post(url, donnees)
    assert (
        r.status_code == 200
        and "ne peut pas être dans le futur" in texte(r)
        and "Le repas du soir" in texte(r)
    )
    donnees["recue_le"] = timezone.localdate().isoformat()
    assert infirmiere.post(url, donnees).status_code == 302
    with tenant_context(og_a.organisme.pk):
        rec = Reclamation.objects.get()
    # the nurse records, the encadrement handles
    assert infirmiere.get(rec.get_absolute_url()).status_code == 404
    assert client_de(og_b["directeur"]).get(rec.get_absolute_url()).status_code == 404
    directrice = client_de(og_a["directeur"])
    qualite = texte(directrice.get(reverse("relation:qualite", args=[og_a.ehpad.public_id])))
    assert "Repas froids" in qualite and "accusé de réception à faire" in qualite
    directrice.post(rec.get_absolute_url(), {"etape": "accuser"})
    r = directrice.post(rec.get_absolute_url(), {"etape": "repondre", "texte": "Trop tôt"})
    assert "cette étape n'est pas possible" in texte(r)
    directrice.post(rec.get_absolute_url(), {"etape": "analyser", "texte": "Chariots non chauffants."})
    r = directrice.post(rec.get_absolute_url(), {"etape": "repondre", "texte": ""})
    assert "Rédigez la réponse" in texte(r)
    directrice.post(
        rec.get_absolute_url(), {"etape": "repondre", "texte": "Nous avons acheté des chariots chauffants."}
    )
    r = directrice.get(reverse("relation:reclamation_pdf", args=[rec.public_id]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    directrice.post(rec.get_absolute_url(), {"etape": "clore"})
    with tenant_context(og_a.organisme.pk):
        rec.refresh_from_db()
        assert rec.statut == "close" and rec.accuse_le and rec.repondue_par == og_a["directeur"]
        stats = selectors.statistiques_qualite(og_a.ehpad, timezone.localdate().year)
    assert stats["reclamations"] == 1 and stats["delai_moyen_reponse"] == 0
    assert ("Close", 1) in stats["reclamations_par_statut"] and ("Téléphone", 1) in stats[
        "reclamations_par_canal"
    ]
    assert "Lefort" not in repr(stats) and "Repas" not in repr(stats)  # counts only


def test_reclamation_depuis_l_espace_et_sa_reponse(og_a, client_de):
    usager, acces, claire = espace_de_claire(og_a)
    url = f"/espace/{acces.public_id}/reclamation/"
    r = claire.post(url, {"objet": "Linge perdu", "description": ""})
    assert r.status_code == 200 and "Linge perdu" in texte(r)
    assert (
        claire.post(url, {"objet": "Linge perdu", "description": "Trois chemisiers ont disparu."}).status_code
        == 302
    )
    with tenant_context(og_a.organisme.pk):
        rec = Reclamation.objects.get()
        assert rec.canal == "portail" and rec.usager == usager and "Claire" in rec.auteur
    directrice = client_de(og_a["directeur"])
    directrice.post(rec.get_absolute_url(), {"etape": "analyser", "texte": ""})
    directrice.post(
        rec.get_absolute_url(), {"etape": "repondre", "texte": "Retrouvés à la lingerie, ils reviennent."}
    )
    assert "Retrouvés à la lingerie" in texte(claire.get(url))


def test_evenement_indesirable_de_la_declaration_a_la_cloture(og_a, og_b, client_de):
    usager = creer_resident(
        og_a, nom_naissance="Lefort", premier_prenom="Jeanne", prenoms_naissance=["Jeanne"]
    )
    aide = client_de(og_a["aide_soignant"])
    url = reverse("relation:declarer", args=[og_a.ehpad.public_id])
    donnees = {"survenu_le": timezone.localtime().strftime("%Y-%m-%dT%H:%M"), "lieu": "Chambre 12",
               "type_evenement": "medicament", "usager": usager.public_id, "description": "",
               "actions_immediates": "Médecin appelé, surveillance."}  # fmt: skip
    r = aide.post(url, donnees)
    assert r.status_code == 200 and "Médecin appelé" in texte(r)
    donnees["description"] = "Traitement du soir d'une autre résidente donné par erreur."
    r = aide.post(url, donnees)
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        ei = EvenementIndesirable.objects.get()
    assert aide.get(ei.get_absolute_url()).status_code == 200  # the declarant reads it
    assert (
        aide.post(ei.get_absolute_url(), {"etape": "analyser", "gravite": 1, "causes": "x"}).status_code
        == 404
    )
    assert client_de(og_b["chef_service"]).get(ei.get_absolute_url()).status_code == 404
    assert (
        client_de(og_a["infirmier"]).get(ei.get_absolute_url()).status_code == 404
    )  # neither declarant nor encadrement
    chef = client_de(og_a["chef_service"])
    chef.post(ei.get_absolute_url(), {"etape": "analyser", "gravite": 4, "causes": "Piluliers mal étiquetés.",
                                      "eigs": "on", "famille_informee": "on"})  # fmt: skip
    echeance = (timezone.localdate() + datetime.timedelta(days=15)).isoformat()
    chef.post(ei.get_absolute_url(), {"etape": "action", "libelle": "Double contrôle des piluliers",
                                      "responsable": og_a["infirmier"].pk, "echeance": echeance})  # fmt: skip
    r = chef.post(ei.get_absolute_url(), {"etape": "clore", "bilan": "Fait."})
    assert "se déclare à l'ARS avant la clôture" in texte(r)
    r = chef.get(reverse("relation:evenement_ars", args=[ei.public_id]))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    chef.post(ei.get_absolute_url(), {"etape": "ars", "jour": timezone.localdate().isoformat()})
    r = chef.post(ei.get_absolute_url(), {"etape": "clore", "bilan": "Fait."})
    assert "ne sont pas réalisées" in texte(r)
    with tenant_context(og_a.organisme.pk):
        action = ei.actions.get()
    chef.post(ei.get_absolute_url(), {"etape": "realisee", "action_id": action.public_id})
    chef.post(ei.get_absolute_url(), {"etape": "clore", "bilan": "Double contrôle en place depuis le 5."})
    with tenant_context(og_a.organisme.pk):
        ei.refresh_from_db()
        assert ei.statut == "clos" and ei.history.count() >= 4
        # the database refuses any change after the closure, and a step backwards
        with pytest.raises(DatabaseError, match="clos ne se modifie plus"), transaction.atomic():
            EvenementIndesirable.objects.filter(pk=ei.pk).update(bilan="réécrit")
        with pytest.raises(DatabaseError, match="Passage interdit"), transaction.atomic():
            EvenementIndesirable.objects.filter(pk=ei.pk).update(statut="declare")
        stats = selectors.statistiques_qualite(og_a.ehpad, timezone.localdate().year)
    assert (
        stats["evenements"] == 1
        and stats["eigs"] == 1
        and ("4 — Critique", 1) in stats["evenements_par_gravite"]
    )
    assert "Lefort" not in repr(stats) and "Piluliers" not in repr(stats)


def test_la_base_refuse_de_sauter_l_analyse(og_a):
    with tenant_context(og_a.organisme.pk):
        ei = EvenementIndesirable.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, declarant=og_a["aide_soignant"],
            survenu_le=timezone.now(), lieu="Jardin", type_evenement="chute", description="Chute",
            actions_immediates="Relevée",
        )  # fmt: skip
        with pytest.raises(DatabaseError, match="Passage interdit"), transaction.atomic():
            EvenementIndesirable.objects.filter(pk=ei.pk).update(statut="actions", gravite=2)
