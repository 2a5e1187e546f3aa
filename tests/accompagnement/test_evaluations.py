"""Évaluations: AGGIR (service, form, live preview, PDF, cancellation), GMP, SERAFIN-PH feeding the PP,
configurable grids."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accompagnement import aggir, selectors, services
from accompagnement.models import (
    Besoin,
    CodeSerafin,
    EvaluationAggir,
    EvaluationGrille,
    EvaluationSerafin,
    GrilleEvaluation,
)
from documents.models import Document
from documents.pdf import texte_du_pdf
from dui.tenancy import tenant_context
from tests.accompagnement.conftest import projet_en_co_construction
from tests.usagers.conftest import creer_usager
from tests.utils import requetes_comptees

pytestmark = pytest.mark.django_db


def _direct(**codes):
    reponses = {item: "A" for item in aggir.items_ordonnes()}
    reponses.update(codes)
    return reponses


def _aggir(tenant, usager, jour, gir_codes, annulee=False):
    with tenant_context(tenant.organisme.pk):
        e = services.do_enregistrer_aggir(
            tenant["infirmier"], usager, tenant.ehpad, date_evaluation=jour, mode="direct", reponses=gir_codes
        )
        if annulee:
            services.do_annuler_aggir(tenant["infirmier"], e, "Erreur de dossier")
    return e


TOUT_C = {item: "C" for item in aggir.items_ordonnes()}


def test_aggir_service_with_adverbs_and_direct_codes(og_a, resident_a):
    nurse = og_a["infirmier"]
    adverbes = {item: ["S", "T", "C", "H"] for item in aggir.items_ordonnes()}
    adverbes["coherence.communication"] = []  # none → C, and cohérence C
    adverbes["toilette.haut"] = ["S", "T"]  # → B
    with tenant_context(og_a.organisme.pk):
        e = services.do_enregistrer_aggir(
            nurse,
            resident_a,
            og_a.ehpad,
            date_evaluation=timezone.localdate(),
            mode="adverbes",
            reponses=adverbes,
            illustratives={"cuisine": "C"},
        )
        # by hand from the decree's table (shared/docs/DOMAIN.md, annexe 2-1 CASF): COH C, TOI B, the rest A;
        # groups A (2016 < 3390) to G (350 < 650) fail, H = 2000 (TOI B) ≥ 2000 → rang 12 → GIR 5
        assert (e.gir, e.rang) == (5, 12)
        assert (
            e.codes["coherence"] == "C" and e.codes["toilette"] == "B" and e.illustratives == {"cuisine": "C"}
        )
        assert e.reponses["codes"]["coherence.communication"] == "C"
        with pytest.raises(ValidationError, match="il manque"):
            services.do_enregistrer_aggir(
                nurse,
                resident_a,
                og_a.ehpad,
                date_evaluation=timezone.localdate(),
                mode="direct",
                reponses={"coherence.communication": "A"},
            )
        with pytest.raises(ValidationError):
            services.do_enregistrer_aggir(
                nurse,
                resident_a,
                og_a.ehpad,
                date_evaluation=timezone.localdate() + datetime.timedelta(days=1),
                mode="direct",
                reponses=_direct(),
            )
        with pytest.raises(PermissionDenied):  # an educator has no "soins" habilitation
            services.do_enregistrer_aggir(
                og_a["educateur"],
                resident_a,
                og_a.ehpad,
                date_evaluation=timezone.localdate(),
                mode="direct",
                reponses=_direct(),
            )
        # habilitated in the MAS too, but the resident has no séjour there
        from habilitations.policy import oublier
        from tests.factories import HabilitationFactory

        HabilitationFactory(
            professionnel=nurse, etablissement=og_a.mas, role="infirmier", debut=datetime.date(2025, 1, 1)
        )
        oublier(nurse)
        with pytest.raises(ValidationError, match="pas accompagné"):
            services.do_enregistrer_aggir(
                nurse,
                resident_a,
                og_a.mas,
                date_evaluation=timezone.localdate(),
                mode="direct",
                reponses=_direct(),
            )


def test_aggir_form_keeps_answers_on_error_then_saves_and_previews(og_a, og_b, resident_a, client_de):
    client = client_de(og_a["infirmier"])
    url = f"/accompagnement/dossier/{resident_a.public_id}/aggir/"
    assert 'data-testid="item-aggir"' in client.get(url).content.decode()
    donnees = {
        "mode": "direct",
        "etablissement": og_a.ehpad.public_id,
        "date_evaluation": timezone.localdate().isoformat(),
    }
    partiel = {**donnees, "code_coherence.communication": "C", "code_toilette.haut": "B"}
    r = client.post(url, partiel)
    body = r.content.decode()
    assert r.status_code == 200 and "il manque" in body
    assert 'name="code_coherence.communication" value="C" checked' in body  # nothing lost
    # live preview (htmx)
    apercu = client.post(url + "apercu/", partiel).content.decode()
    assert "Encore 15 activités sur 17" in apercu
    complet = {
        **donnees,
        **{f"code_{item}": code for item, code in _direct(**{"coherence.communication": "C"}).items()},
    }
    assert "GIR <strong>" in client.post(url + "apercu/", complet).content.decode()
    r = client.post(url, complet)
    assert r.status_code == 302, r.content.decode()[-3000:]
    with tenant_context(og_a.organisme.pk):
        e = EvaluationAggir.objects.get()
    assert r["Location"] == f"/accompagnement/aggir/{e.public_id}/"
    page = client.get(r["Location"]).content.decode()
    assert f"GIR <strong>{e.gir}</strong>" in page
    # other tenant, a role without soins: 404 on the form, the preview and the evaluation
    for user in (og_b["infirmier"], og_a["educateur"]):
        other = client_de(user)
        assert other.get(url).status_code == 404
        assert other.post(url + "apercu/", complet).status_code == 404
        assert other.get(f"/accompagnement/aggir/{e.public_id}/").status_code == 404
    # the evaluations tab shows the history to the care team, not to the educator
    tab = f"/accompagnement/dossier/{resident_a.public_id}/evaluations/"
    assert 'data-testid="aggir"' in client.get(tab).content.decode()
    assert 'data-testid="aggir"' not in client_de(og_a["educateur"]).get(tab).content.decode()


def test_aggir_pdf_and_cancellation(og_a, resident_a, client_de, django_capture_on_commit_callbacks):
    e = _aggir(og_a, resident_a, timezone.localdate(), TOUT_C)
    client = client_de(og_a["infirmier"])
    url = f"/accompagnement/aggir/{e.public_id}/"
    # A request while the previous one is still being prepared: a clear message, no second document.
    with tenant_context(og_a.organisme.pk):
        en_cours = Document.objects.create(
            organisme=og_a.organisme,
            usager=resident_a,
            etablissement=og_a.ehpad,
            type_document="grille_evaluation",
            categorie="soins",
            titre="AGGIR",
            objet_type="accompagnement.evaluationaggir",
            objet_id=e.public_id,
            auteur=og_a["infirmier"],
        )
    r = client.post(url, {"formulaire": "pdf"}, follow=True)
    assert r.status_code == 200 and "déjà en préparation" in r.content.decode()
    # …unless it was lost (more than ten minutes): it is marked failed and replaced.
    with tenant_context(og_a.organisme.pk):
        Document.objects.filter(pk=en_cours.pk).update(
            cree_le=timezone.now() - datetime.timedelta(minutes=11)
        )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"formulaire": "pdf"}).status_code == 302
    with tenant_context(og_a.organisme.pk):
        document = Document.objects.get(version=2)
        en_cours.refresh_from_db()
    assert en_cours.statut == "echec" and "dix minutes" in en_cours.erreur
    assert (
        document.statut == "disponible"
        and document.categorie == "soins"
        and document.remplace_id == en_cours.pk
    )
    with document.fichier.open("rb") as f:
        texte = texte_du_pdf(f.read())
    assert "Grille nationale AGGIR" in texte and "GIR 1" in texte and "Communication" in texte
    r = client.post(url, {"formulaire": "annuler", "motif": ""})
    assert "obligatoire" in r.content.decode()
    assert client.post(url, {"formulaire": "supprimer"}).status_code == 404
    client.post(url, {"formulaire": "annuler", "motif": "Saisie sur le mauvais dossier"})
    with tenant_context(og_a.organisme.pk):
        e.refresh_from_db()
    assert e.annulee_le and e.annulee_par_id == og_a["infirmier"].pk


def test_gmp_from_latest_valid_gir_of_persons_accompanied(og_a, og_b, client_de):
    aujourd_hui = timezone.localdate()
    u1, u2, u3, u4 = (
        creer_usager(og_a, nom_naissance=f"R{i}", premier_prenom="P", prenoms_naissance=["P"])
        for i in range(4)
    )
    _aggir(og_a, u1, aujourd_hui - datetime.timedelta(days=200), _direct())  # GIR 6 (70)…
    _aggir(og_a, u1, aujourd_hui - datetime.timedelta(days=10), TOUT_C)  # …then GIR 1 (1000)
    _aggir(
        og_a,
        u2,
        aujourd_hui - datetime.timedelta(days=50),
        _direct(transferts="C", deplacements_interieurs="C", **{"toilette.haut": "C", "toilette.bas": "C"}),
    )
    _aggir(og_a, u3, aujourd_hui - datetime.timedelta(days=5), TOUT_C, annulee=True)  # cancelled: not counted
    with tenant_context(og_a.organisme.pk):
        gir_u2 = EvaluationAggir.objects.get(usager=u2).gir
        u4.sejours.update(date_sortie=aujourd_hui - datetime.timedelta(days=1))  # left: not counted
    with tenant_context(og_a.organisme.pk):
        lignes = selectors.gmp(og_a.ehpad, [aujourd_hui - datetime.timedelta(days=100), aujourd_hui])
    avant, maintenant = lignes
    assert avant["presents"] == 4 and avant["evalues"] == 1 and avant["gmp"] == 70
    assert maintenant["presents"] == 3 and maintenant["evalues"] == 2 and maintenant["non_evalues"] == 1
    # u2, by hand from the decree's table: TOI, TRA and DPI coded C; group A 1040 < 3390, group B 760 < 2016,
    # group C 40 + 1000 + 400 = 1440 ≥ 1432 → rang 6 → GIR 2, worth 840 points; u1 GIR 1, 1000 points
    assert gir_u2 == 2
    assert maintenant["gmp"] == 920  # (1000 + 840) / 2
    assert maintenant["repartition"][1] == 1 and maintenant["repartition"][gir_u2] >= 1
    # the page: director yes, nurse no, other tenant no; query count independent of the residents
    url = f"/accompagnement/etablissement/{og_a.ehpad.public_id}/gmp/"
    client = client_de(og_a["directeur"])
    with requetes_comptees() as ctx:
        body = client.get(url).content.decode()
    assert f'data-testid="gmp">{maintenant["gmp"]}<' in body and body.count('data-testid="evolution"') == 12
    # SVG coordinates are never localised ("92,7" is not a number for SVG)
    assert "<polyline" in body and not re.search(r'(cx|cy|x|y)="\d+,\d', body)
    courbe = (
        client_de(og_a["infirmier"])
        .get(f"/accompagnement/dossier/{u1.public_id}/evaluations/")
        .content.decode()
    )
    assert "<polyline" in courbe and not re.search(r'(cx|cy|x|y)="\d+,\d', courbe)
    assert not re.search(r'points="[^"]*\d+,\d+,\d', courbe)
    for i in range(4):
        u = creer_usager(og_a, nom_naissance=f"S{i}", premier_prenom="P", prenoms_naissance=["P"])
        _aggir(og_a, u, aujourd_hui, _direct())
    with requetes_comptees() as ctx2:
        client.get(url)
    assert len(ctx2.captured_queries) == len(ctx.captured_queries)
    assert client_de(og_a["infirmier"]).get(url).status_code == 404
    assert client_de(og_b["directeur"]).get(url).status_code == 404
    assert url in client.get("/").content.decode()  # the EHPAD director's home links it
    assert "/gmp/" not in client_de(og_a["infirmier"]).get("/").content.decode()


def test_serafin_evaluation_feeds_the_pp(og_a, og_b, resident_a, client_de, codes_serafin):
    client = client_de(og_a["educateur"])
    url = f"/accompagnement/dossier/{resident_a.public_id}/serafin/"
    mobilite = CodeSerafin.objects.get(jeu="J285", code="1.2.1.3", actif=True)
    douleur = CodeSerafin.objects.get(jeu="J285", code="1.1.3", actif=True)
    base = {"etablissement": og_a.ehpad.public_id, "date_evaluation": timezone.localdate().isoformat()}
    r = client.post(url, base)
    assert "Aucun besoin n&#x27;est coté" in r.content.decode()
    r = client.post(
        url,
        {
            **base,
            f"importance_{mobilite.pk}": "3",
            f"commentaire_{mobilite.pk}": "Fauteuil",
            f"importance_{douleur.pk}": "1",
        },
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    with tenant_context(og_a.organisme.pk):
        evaluation = EvaluationSerafin.objects.get()
        assert evaluation.besoins.filter(importance__gt=0).count() == 2
    page = r["Location"]
    r = client.post(page, {"formulaire": "reporter"}, follow=True)
    assert "Aucun projet personnalisé en cours" in r.content.decode()
    pp = projet_en_co_construction(og_a, resident_a)
    client.post(page, {"formulaire": "reporter"})
    client.post(page, {"formulaire": "reporter"})  # twice: nothing duplicated
    with tenant_context(og_a.organisme.pk):
        besoins = {b.code_serafin.code: b for b in Besoin.objects.filter(projet=pp)}
    assert set(besoins) == {"1.2.1.3", "1.1.3"}
    assert besoins["1.2.1.3"].priorite == 1 and besoins["1.2.1.3"].description == "Fauteuil"
    assert client_de(og_b["educateur"]).get(page).status_code == 404
    assert client_de(og_a["aide_soignant"]).get(page).status_code == 404


def test_configurable_grid_defined_without_code_then_used_and_frozen(og_a, og_b, resident_a, client_de):
    directeur = client_de(og_a["directeur"])
    r = directeur.post(
        "/accompagnement/grilles/nouvelle/",
        {
            "etablissement": og_a.ehpad.public_id,
            "nom": "Risque de chute",
            "categorie": "soins",
            "active": "on",
            "interpretation_texte": "3 = Risque élevé\n1 = Risque modéré\n0 = Risque faible",
            "questions": "Chute dans les 6 derniers mois | oui_non\nMarche | choix | Seul = 0 ; Avec aide = 1 ; "
            "Ne marche pas = 2\nNombre de médicaments | nombre\nRemarques (facultatif) | texte",
        },
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    with tenant_context(og_a.organisme.pk):
        grille = GrilleEvaluation.objects.get()
        assert [i.type_item for i in grille.items.all()] == ["oui_non", "choix", "nombre", "texte"]
    # Bad definition: a clear French error, nothing lost.
    r = directeur.post(
        "/accompagnement/grilles/nouvelle/",
        {
            "etablissement": og_a.ehpad.public_id,
            "nom": "Douleur",
            "categorie": "soins",
            "questions": "Douleur | couleur",
        },
    )
    assert "type « couleur » inconnu" in r.content.decode() and "Douleur | couleur" in r.content.decode()
    # Used by a nurse on the resident.
    items = list(grille.items.all())
    nurse = client_de(og_a["infirmier"])
    url = f"/accompagnement/dossier/{resident_a.public_id}/grille/{grille.public_id}/"
    base = {"etablissement": og_a.ehpad.public_id, "date_evaluation": timezone.localdate().isoformat()}
    r = nurse.post(url, {**base, f"item_{items[0].pk}": "0"})
    assert "réponse obligatoire" in r.content.decode()
    r = nurse.post(
        url, {**base, f"item_{items[0].pk}": "0", f"item_{items[1].pk}": "1", f"item_{items[2].pk}": "abc"}
    )
    assert "un nombre est attendu" in r.content.decode()
    r = nurse.post(
        url, {**base, f"item_{items[0].pk}": "0", f"item_{items[1].pk}": "1", f"item_{items[2].pk}": "2"}
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    with tenant_context(og_a.organisme.pk):
        evaluation = EvaluationGrille.objects.get()
    assert float(evaluation.score) == 4.0 and evaluation.interpretation == "Risque élevé"
    # Once used, questions are frozen.
    r = directeur.post(
        f"/accompagnement/grilles/{grille.public_id}/",
        {
            "nom": "Risque de chute (v2)",
            "categorie": "soins",
            "active": "on",
            "interpretation_texte": "",
            "questions": "Autre | texte",
        },
    )
    assert r.status_code == 302, r.content.decode()[-3000:]
    with tenant_context(og_a.organisme.pk):
        assert grille.items.count() == 4 and GrilleEvaluation.objects.get().nom == "Risque de chute (v2)"
    # Rights: only the direction configures; the other tenant sees nothing; the educator (no soins) cannot use it.
    assert client_de(og_a["infirmier"]).get("/accompagnement/grilles/").status_code == 404
    assert client_de(og_b["directeur"]).get(f"/accompagnement/grilles/{grille.public_id}/").status_code == 404
    assert client_de(og_a["educateur"]).get(url).status_code == 404
    assert (
        client_de(og_b["infirmier"]).get(f"/accompagnement/evaluation/{evaluation.public_id}/").status_code
        == 404
    )
    assert "Risque élevé" in nurse.get(f"/accompagnement/evaluation/{evaluation.public_id}/").content.decode()
