"""The conseil de la vie sociale: members and mandates (three years at most, one president), elections,
meetings with agenda and relevé de conclusions (PDF), and the reminder under three meetings a year."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dui.tenancy import tenant_context
from relation import selectors
from relation.models import MembreCVS, ReunionCVS
from tests.relation.conftest import texte

pytestmark = pytest.mark.django_db


def test_membres_elections_reunions_et_rappel(og_a, og_b, client_de):
    directrice = client_de(og_a["directeur"])
    url = reverse("relation:cvs", args=[og_a.ehpad.public_id])
    # a fresh council: the home page and the page say that three meetings a year are due
    assert "le conseil se réunit au moins 3 fois par an" in texte(directrice.get("/"))
    assert "Il en manque 3" in texte(directrice.get(url))
    aujourd_hui = timezone.localdate()
    r = directrice.post(url, {"formulaire": "election", "college": "familles", "date": aujourd_hui.isoformat(),
                              "inscrits": 40, "votants": 55})  # fmt: skip
    assert "plus de votants que d'inscrits" in texte(r)
    directrice.post(url, {"formulaire": "election", "college": "familles", "date": aujourd_hui.isoformat(),
                          "inscrits": 40, "votants": 22})  # fmt: skip
    # the mandate began yesterday: the meeting held an hour ago (maybe yesterday, just after midnight) is in it
    debut = aujourd_hui - datetime.timedelta(days=1)
    trop_long = (debut + datetime.timedelta(days=4 * 365)).isoformat()
    donnees = {"formulaire": "membre", "college": "familles", "nom": "Mme Sophie Moreau", "fonction": "president",
               "voix": 15, "debut_mandat": debut.isoformat(), "fin_mandat": trop_long}  # fmt: skip
    r = directrice.post(url, donnees)
    assert "3 ans au plus" in texte(r) and "Sophie Moreau" in texte(r)
    donnees["fin_mandat"] = (debut + datetime.timedelta(days=3 * 365)).isoformat()
    assert directrice.post(url, donnees).status_code == 302
    donnees["nom"] = "M. Jean Lebrun"
    r = directrice.post(url, donnees)
    assert "déjà un(e) président(e)" in texte(r)
    # a meeting planned, then held with its relevé de conclusions
    quand = (timezone.localtime() - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    directrice.post(
        url, {"formulaire": "reunion", "date": quand, "lieu": "Salon", "ordre_du_jour": "Menus d'hiver"}
    )
    with tenant_context(og_a.organisme.pk):
        reunion = ReunionCVS.objects.get()
        presidente = MembreCVS.objects.get()
    r = directrice.post(reunion.get_absolute_url(), {"etape": "tenir", "compte_rendu": ""})
    assert "Ce champ est obligatoire" in texte(r)
    r = directrice.post(reunion.get_absolute_url(), {"etape": "tenir", "presents": [presidente.pk],
                                                     "compte_rendu": "Avis favorable aux menus d'hiver."})  # fmt: skip
    assert r.status_code == 302
    pdf = directrice.get(reverse("relation:reunion_cvs_pdf", args=[reunion.public_id]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "Il en manque 2" in texte(directrice.get(url))
    # the chef de service reads, does not write; the other organisme and a nurse see nothing
    chef = client_de(og_a["chef_service"])
    assert chef.get(url).status_code == 200
    assert chef.post(url, {"formulaire": "reunion", "date": quand, "ordre_du_jour": "x"}).status_code == 404
    assert client_de(og_a["infirmier"]).get(url).status_code == 404
    assert client_de(og_b["directeur"]).get(url).status_code == 404
    assert client_de(og_b["directeur"]).get(reunion.get_absolute_url()).status_code == 404
    # three meetings this year: no more reminder
    with tenant_context(og_a.organisme.pk):
        for jour in (10, 20):  # two more meetings this year, whatever today's date
            ReunionCVS.objects.create(organisme=og_a.organisme, etablissement=og_a.ehpad, ordre_du_jour="x",
                                      date=timezone.now().replace(month=1, day=jour))  # fmt: skip
        rappels = selectors.rappels_cvs(og_a["directeur"])
    assert not [e for e in rappels if og_a.ehpad.nom in e.libelle]
