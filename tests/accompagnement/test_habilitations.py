"""Roles without the habilitation get 404 on every accompagnement page (the other organisme is swept by
tests/dui/test_isolation.py), and the AGGIR PDF task is tenant-checked like the PP one."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accompagnement import aggir, services
from accompagnement.models import EvaluationGrille, GrilleEvaluation
from documents.models import Document
from dui.tenancy import tenant_context
from tests.accompagnement.conftest import projet_en_co_construction

pytestmark = pytest.mark.django_db


@pytest.fixture
def objets(og_a, resident_a):
    pp = projet_en_co_construction(og_a, resident_a)
    with tenant_context(og_a.organisme.pk):
        evaluation = services.do_enregistrer_aggir(
            og_a["infirmier"],
            resident_a,
            og_a.ehpad,
            date_evaluation=timezone.localdate(),
            mode="direct",
            reponses={item: "B" for item in aggir.items_ordonnes()},
        )
        grille = GrilleEvaluation.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, nom="Douleur", categorie="soins"
        )
        evaluation_grille = EvaluationGrille.objects.create(
            organisme=og_a.organisme,
            usager=resident_a,
            etablissement=og_a.ehpad,
            grille=grille,
            categorie="soins",
            date_evaluation=timezone.localdate(),
            evaluateur=og_a["infirmier"],
        )
        document = Document.objects.create(
            organisme=og_a.organisme,
            usager=resident_a,
            etablissement=og_a.ehpad,
            type_document="projet_personnalise",
            categorie="social",
            titre="PP",
            objet_type="accompagnement.projetpersonnalise",
            objet_id=pp.public_id,
            auteur=og_a["educateur"],
            statut="disponible",
        )
    return {
        "pp": pp,
        "aggir": evaluation,
        "grille": grille,
        "evaluation_grille": evaluation_grille,
        "document": document,
    }


def test_roles_without_the_habilitation_get_404(og_a, resident_a, objets, client_de):
    u = resident_a.public_id
    # role → URLs it must not open (GET), each for a missing data category
    interdits = {
        # no social, no soins: no evaluations at all
        "agent_administratif": [
            f"/accompagnement/dossier/{u}/evaluations/",
            f"/accompagnement/dossier/{u}/serafin/",
            f"/accompagnement/dossier/{u}/aggir/",
            f"/accompagnement/evaluation/{objets['evaluation_grille'].public_id}/",
            f"/accompagnement/dossier/{u}/grille/{objets['grille'].public_id}/",
            f"/documents/{objets['document'].public_id}/statut/",
            f"/documents/{objets['document'].public_id}/",
        ],
        # no social: no SERAFIN-PH form; no pilotage.modifier: no grid configuration
        "aide_soignant": [
            f"/accompagnement/dossier/{u}/serafin/",
            "/accompagnement/grilles/nouvelle/",
            f"/accompagnement/grilles/{objets['grille'].public_id}/",
            f"/documents/{objets['document'].public_id}/statut/",
        ],
        # no soins: not the care grid's evaluation, not the AGGIR PDF
        "educateur": [
            f"/accompagnement/evaluation/{objets['evaluation_grille'].public_id}/",
            f"/accompagnement/aggir/{objets['aggir'].public_id}/",
            f"/accompagnement/etablissement/{og_a.ehpad.public_id}/gmp/",
        ],
        # no documents category: no documents tab
        "pharmacien": [f"/documents/dossier/{u}/", f"/documents/{objets['document'].public_id}/"],
    }
    for role, urls in interdits.items():
        client = client_de(og_a[role])
        for url in urls:
            assert client.get(url).status_code == 404, (role, url)
    # posts do nothing either: no "soins" (agent administratif), or "documents" in reading only (aide-soignant)
    url = f"/accompagnement/aggir/{objets['aggir'].public_id}/"
    assert (
        client_de(og_a["agent_administratif"])
        .post(url, {"formulaire": "annuler", "motif": "Tentative"})
        .status_code
        == 404
    )
    assert client_de(og_a["aide_soignant"]).post(url, {"formulaire": "pdf"}).status_code == 404
    with tenant_context(og_a.organisme.pk):
        objets["aggir"].refresh_from_db()
        assert objets["aggir"].annulee_le is None
        assert Document.objects.filter(objet_id=objets["aggir"].public_id).count() == 0


def test_aggir_pdf_task_is_tenant_checked(og_a, og_b, objets):
    from accompagnement.tasks import generer_pdf_aggir
    from dui.tasks import TenantContextError

    with tenant_context(og_a.organisme.pk):
        document = Document.objects.create(
            organisme=og_a.organisme,
            usager=objets["aggir"].usager,
            etablissement=og_a.ehpad,
            type_document="grille_evaluation",
            categorie="soins",
            titre="AGGIR",
            objet_type="accompagnement.evaluationaggir",
            objet_id=objets["aggir"].public_id,
            auteur=og_a["infirmier"],
        )
    with pytest.raises(Document.DoesNotExist):
        generer_pdf_aggir.delay(
            str(document.public_id), organisme_id=og_b.organisme.pk, acteur_id=og_b["infirmier"].pk
        ).get()
    with pytest.raises(TenantContextError):
        generer_pdf_aggir.delay(
            str(document.public_id), organisme_id=og_a.organisme.pk, acteur_id=og_b["infirmier"].pk
        ).get()
    generer_pdf_aggir.delay(
        str(document.public_id), organisme_id=og_a.organisme.pk, acteur_id=og_a["educateur"].pk
    ).get()  # no "soins"
    with tenant_context(og_a.organisme.pk):
        document.refresh_from_db()
    assert document.statut == "echec" and not document.fichier
