"""Satisfaction surveys: a questionnaire built by the director, a campaign answered online by a relative (once)
and on paper typed by the team; results and exports; answers that nothing ties to their respondent."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.apps import apps
from django.db import models
from django.urls import reverse
from django.utils import timezone

from dui.tenancy import tenant_context
from relation.models import Campagne, ParticipationEnquete, ReponseEnquete, ValeurReponse
from tests.relation.conftest import espace_de_claire, texte

pytestmark = pytest.mark.django_db


def _questionnaire(client, etablissement):
    url = reverse("relation:enquetes", args=[etablissement.public_id])
    donnees = {
        "formulaire": "questionnaire", "titre": "Satisfaction 2026", "introduction": "Merci de votre avis.",
        "questions-TOTAL_FORMS": 8, "questions-INITIAL_FORMS": 0,
        "questions-0-libelle": "Les repas", "questions-0-type_question": "echelle", "questions-0-obligatoire": "on",
        "questions-1-libelle": "Recommanderiez-vous l'établissement ?", "questions-1-type_question": "oui_non",
        "questions-2-libelle": "Activité préférée", "questions-2-type_question": "choix", "questions-2-options": "Chant",
        "questions-3-libelle": "Une remarque ?", "questions-3-type_question": "texte",
    }  # fmt: skip
    for i in range(4, 8):
        donnees[f"questions-{i}-type_question"] = "echelle"
    r = client.post(url, donnees)
    assert "au moins deux réponses" in texte(r) and "Satisfaction 2026" in texte(r)
    donnees["questions-2-options"] = "Chant ; Jardinage ; Gym douce"
    assert client.post(url, donnees).status_code == 302
    return url


def test_une_campagne_en_ligne_et_sur_papier_anonyme(og_a, og_b, client_de):
    usager, acces, claire = espace_de_claire(og_a)
    directrice = client_de(og_a["directeur"])
    url = _questionnaire(directrice, og_a.ehpad)
    with tenant_context(og_a.organisme.pk):
        from relation.models import Questionnaire

        questionnaire = Questionnaire.objects.get()
        q = {x.ordre: x for x in questionnaire.questions.all()}
    r = directrice.post(url, {"formulaire": "campagne", "questionnaire": questionnaire.pk, "titre": "Enquête d'hiver",
                              "public": "tous", "debut": timezone.localdate().isoformat(),
                              "fin": (timezone.localdate() + datetime.timedelta(days=20)).isoformat()})  # fmt: skip
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        campagne = Campagne.objects.get()
    # the daughter sees it in her space and answers once
    assert "Enquête d'hiver" in texte(claire.get(f"/espace/{acces.public_id}/"))
    url_enquete = f"/espace/{acces.public_id}/enquetes/{campagne.public_id}/"
    r = claire.post(url_enquete, {f"q_{q[4].pk}": '=HYPERLINK("http://x")'})
    assert r.status_code == 200 and "Ce champ est obligatoire" in texte(r)
    r = claire.post(url_enquete, {f"q_{q[1].pk}": "4", f"q_{q[2].pk}": "oui", f"q_{q[3].pk}": "Jardinage",
                                  f"q_{q[4].pk}": "=HYPERLINK(\"http://x\")"})  # fmt: skip
    assert r.status_code == 302
    assert claire.get(url_enquete).status_code == 404  # answered: no second time
    assert "Enquête d'hiver" not in texte(claire.get(f"/espace/{acces.public_id}/"))
    # a paper questionnaire typed by the educator, who does not see the results
    educ = client_de(og_a["educateur"])
    r = educ.post(
        campagne.get_absolute_url(), {"etape": "papier", f"q_{q[1].pk}": "2", f"q_{q[3].pk}": "Chant"}
    )
    assert r.status_code == 302
    assert "Résultats" not in texte(educ.get(campagne.get_absolute_url()))
    assert educ.get(reverse("relation:campagne_export", args=[campagne.public_id])).status_code == 404
    # the results
    page = texte(directrice.get(campagne.get_absolute_url()))
    assert "2 réponses" in page and "Moyenne : <strong>3,0</strong> sur 4" in page
    r = directrice.get(reverse("relation:campagne_export", args=[campagne.public_id]))
    lignes = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert lignes[0][0] == "Saisie" and len(lignes) == 3
    assert sorted(ligne[0] for ligne in lignes[1:]) == ["en ligne", "papier"]
    assert "'=HYPERLINK(" in r.content.decode("utf-8-sig")  # neutralised for a spreadsheet
    assert "claire" not in r.content.decode().lower() and "Martin" not in r.content.decode()
    r = directrice.get(reverse("relation:campagne_export", args=[campagne.public_id]) + "?format=xlsx")
    from openpyxl import load_workbook

    feuille = load_workbook(io.BytesIO(r.content)).active
    assert feuille.max_row == 3
    # the other organisme, and a nurse: nothing
    assert client_de(og_b["directeur"]).get(campagne.get_absolute_url()).status_code == 404
    assert (
        client_de(og_b["directeur"])
        .get(reverse("relation:campagne_export", args=[campagne.public_id]))
        .status_code
        == 404
    )
    assert client_de(og_a["infirmier"]).get(campagne.get_absolute_url()).status_code == 404
    with tenant_context(og_a.organisme.pk):
        assert ParticipationEnquete.objects.filter(campagne=campagne).count() == 1
        assert ReponseEnquete.objects.filter(campagne=campagne).count() == 2
        assert ValeurReponse.objects.filter(reponse__campagne=campagne).count() == 6


def test_rien_ne_relie_une_reponse_a_son_auteur():
    """The answer tables hold no person, account, professional or time, and no history; the participation
    holds no time and no link to an answer."""
    interdits = {
        "relation.CompteProche",
        "habilitations.Professionnel",
        "usagers.Usager",
        "relation.AccesPortail",
    }
    for modele in (ReponseEnquete, ValeurReponse, ParticipationEnquete):
        for champ in modele._meta.get_fields():
            assert not isinstance(champ, models.DateField | models.DateTimeField), (modele, champ.name)
            if modele is not ParticipationEnquete and champ.is_relation and champ.related_model is not None:
                assert champ.related_model._meta.label not in interdits, (modele, champ.name)
        assert modele._meta.pk.get_internal_type() == "UUIDField"  # no sequence to line up
    assert not any(
        champ.related_model is ReponseEnquete
        for champ in ParticipationEnquete._meta.get_fields()
        if champ.is_relation
    )
    historiques = {m._meta.label for m in apps.get_models() if m.__name__.startswith("Historical")}
    assert not historiques & {"relation.HistoricalReponseEnquete", "relation.HistoricalValeurReponse",
                              "relation.HistoricalParticipationEnquete"}  # fmt: skip
