"""Tenant isolation through the web: a professional of OG B gets 404 on every OG A object URL, and no
list, search, journal or export shows anything of A."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from dui.models import ExportJournal, JournalAcces
from dui.tenancy import tenant_context
from habilitations.models import BrisDeGlace, Habilitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def objets_a(og_a, base_bdpm):
    with tenant_context(og_a.organisme.pk):
        bdg = BrisDeGlace.objects.create(
            organisme=og_a.organisme,
            professionnel=og_a["infirmier"],
            etablissement=og_a.mas,
            objet_type="dui.etablissement",
            objet_id=og_a.mas.public_id,
            objet_libelle="MAS A",
            motif="Urgence de nuit, aucun autre soignant joignable",
            expire_le=timezone.now() + datetime.timedelta(hours=1),
        )
        export = ExportJournal.objects.create(
            organisme=og_a.organisme, demandeur=og_a.dpo, statut="termine", fichier="exports/x.csv"
        )
        hab = Habilitation.objects.filter(organisme=og_a.organisme).first()
    from tests.usagers.conftest import creer_usager

    usager = creer_usager(og_a, nom_naissance="Secret", premier_prenom="Alice", prenoms_naissance=["Alice"])
    return [
        og_a.ehpad,
        og_a.mas,
        og_a.unite,
        og_a["medecin"],
        og_a.admin,
        hab,
        bdg,
        export,
        usager,
        *_accompagnement_a(og_a, usager),
        *_soins_a(og_a, usager),
        *_medicaments_a(og_a, usager),
        *_interop_a(og_a, usager),
    ]


def _interop_a(og_a, usager):
    """A's exchanges: a DMP exchange of A's document, in échec (retry and cancel are offered to A)."""
    from documents.models import Document
    from interop.models import Envoi

    with tenant_context(og_a.organisme.pk):
        document = Document.objects.create(
            organisme=og_a.organisme,
            usager=usager,
            etablissement=og_a.ehpad,
            type_document="dlu",
            categorie="soins",
            titre="DLU secret A",
            auteur=og_a["medecin"],
            statut="disponible",
        )
        envoi = Envoi.objects.create(
            organisme=og_a.organisme,
            type_envoi="dmp",
            etablissement=og_a.ehpad,
            usager=usager,
            document=document,
            cle_idempotence=f"dmp:{document.public_id}",
            statut="echec",
            prochain_essai=timezone.now(),
            demande_par=og_a["medecin"],
            derniere_erreur="Erreur secrète A",
        )
    return [document, envoi]


def _soins_a(og_a, usager):
    """A's soins objects: an allergy, a constante with an alert, a transmission, a planned care task and its
    validation, the DLU document."""
    import datetime as dt
    from decimal import Decimal

    from soins import services
    from soins.models import Allergie, Constante, SoinPlanifie, Transmission
    from usagers.models import Sejour

    with tenant_context(og_a.organisme.pk):
        Sejour.objects.filter(usager=usager).update(unite=og_a.unite)
        allergie = services.do_ajouter_allergie(
            og_a["infirmier"],
            usager,
            Allergie(type_agent="substance", agent="Amoxicilline", reaction="Urticaire", severite="severe"),
        )
        (constante,) = services.do_enregistrer_constantes(
            og_a["infirmier"],
            usager,
            og_a.ehpad,
            [Constante(type_constante="temperature", valeur=Decimal("39.5"))],
        )
        transmission = services.do_ecrire_transmission(
            og_a["infirmier"],
            Transmission(usager=usager, etablissement=og_a.ehpad, cible="Fièvre", donnees="39,5 °C secret A"),
        )
        soin = services.do_planifier_soin(
            og_a["infirmier"],
            SoinPlanifie(
                usager=usager,
                etablissement=og_a.ehpad,
                type_soin="toilette",
                heures=[dt.time(0, 0)],
                date_debut=timezone.localdate(),
            ),
        )
        realisation = services.do_valider_soin(
            og_a["aide_soignant"], soin, timezone.localdate(), dt.time(0, 0), "pas_fait", "refus"
        )
        dossier = services.dossier_soins_de(usager)
    return [allergie, constante, transmission, soin, realisation, dossier]


def _medicaments_a(og_a, usager):
    """A's médicaments objects: a line and a "si besoin" line, a planned dose given, a pilulier, a stock
    article and its movement."""
    from medicaments import services
    from medicaments.models import ArticleStock, DosePlanifiee, Specialite, TypeMouvement
    from tests.medicaments.conftest import prescrire

    ligne = prescrire(og_a, usager, heures=[datetime.time(0, 0)])
    si_besoin = prescrire(
        og_a, usager, specialite_cis="60192594", si_besoin=True, heures=[], indication="Œdèmes", max_par_24h=1
    )
    with tenant_context(og_a.organisme.pk):
        dose = DosePlanifiee.objects.create(
            organisme=og_a.organisme,
            prescription=ligne,
            usager=usager,
            etablissement=og_a.ehpad,
            prevue_le=timezone.now(),
        )
        administration = services.do_administrer(og_a["infirmier"], dose, "donne")
        pilulier = services.do_marquer_pilulier_prepare(
            og_a["infirmier"], usager, og_a.ehpad, services.lundi(timezone.localdate())
        )
        article = services.do_ajouter_article(
            og_a["infirmier"],
            ArticleStock(
                etablissement=og_a.ehpad, specialite=Specialite.objects.get(cis="60234100"), seuil_alerte=5
            ),
        )
        mouvement = services.do_mouvement(
            og_a["infirmier"],
            article,
            TypeMouvement.RECEPTION,
            10,
            "LOT-SECRET-A",
            timezone.localdate() + datetime.timedelta(days=300),
        )
    return [ligne, si_besoin, dose, administration, pilulier, article, mouvement]


def _accompagnement_a(og_a, usager):
    """A's accompagnement objects: PP, evaluations, a grid, an observation, a generated document."""
    from accompagnement import aggir, services
    from accompagnement.models import EvaluationGrille, EvaluationSerafin, GrilleEvaluation, Observation
    from documents.models import Document
    from tests.accompagnement.conftest import projet_en_co_construction

    pp = projet_en_co_construction(og_a, usager)
    with tenant_context(og_a.organisme.pk):
        evaluation = services.do_enregistrer_aggir(
            og_a["infirmier"],
            usager,
            og_a.ehpad,
            date_evaluation=timezone.localdate(),
            mode="direct",
            reponses={item: "B" for item in aggir.items_ordonnes()},
        )
        grille = GrilleEvaluation.objects.create(
            organisme=og_a.organisme, etablissement=og_a.ehpad, nom="Chutes A"
        )
        evaluation_grille = EvaluationGrille.objects.create(
            organisme=og_a.organisme,
            usager=usager,
            etablissement=og_a.ehpad,
            grille=grille,
            categorie="soins",
            date_evaluation=timezone.localdate(),
            evaluateur=og_a["infirmier"],
        )
        observation = services.do_ecrire_observation(
            og_a["educateur"],
            Observation(usager=usager, etablissement=og_a.ehpad, categorie="social", texte="Note secrète A"),
        )
        document = Document.objects.create(
            organisme=og_a.organisme,
            usager=usager,
            etablissement=og_a.ehpad,
            type_document="autre",
            categorie="social",
            titre="Document secret A",
            auteur=og_a["educateur"],
            statut="disponible",
        )
        serafin = EvaluationSerafin.objects.create(
            organisme=og_a.organisme,
            usager=usager,
            etablissement=og_a.ehpad,
            date_evaluation=timezone.localdate(),
            evaluateur=og_a["educateur"],
        )
    return [pp, evaluation, grille, evaluation_grille, observation, document, serafin]


# The sweep of every object URL (A's owner gets through, B gets 404) is tests/dui/test_balayages.py, on the
# objects of tests/balayage.py.


def test_lists_and_search_show_nothing_of_the_other_tenant(og_a, og_b, objets_a, client_de):
    with tenant_context(og_a.organisme.pk):
        JournalAcces.objects.create(
            organisme=og_a.organisme,
            professionnel=og_a["medecin"],
            type_acces="lecture",
            objet_type="dui.etablissement",
            objet_id=og_a.ehpad.public_id,
            libelle="Lecture secrète A",
        )
    admin_b = client_de(og_b.admin)
    pages = {
        "/": [],
        "/administration/etablissements/": ["EHPAD B"],
        f"/administration/professionnels/?q={og_a['medecin'].nom}": [],
        "/administration/professionnels/?q=a.test": [],
        "/journal/": [],
        "/accompagnement/grilles/": [],
        "/soins/": [],
        f"/journal/?objet_id={og_a.ehpad.public_id}": [],
    }
    for url, attendus in pages.items():
        body = admin_b.get(url).content.decode()
        assert "EHPAD A" not in body and "MAS A" not in body and "@a.test" not in body, url
        assert "Lecture secrète A" not in body and "SECRET" not in body, url
        for attendu in attendus:
            assert attendu in body, url
    for terme in ("secret", "alice"):  # the dossier search is posted (no personal data in URLs)
        body = admin_b.post("/usagers/", {"q": terme}).content.decode()
        assert "EHPAD A" not in body and "MAS A" not in body and "SECRET" not in body, terme
        assert 'data-testid="resultat"' not in body, terme
    # htmx search fragment
    body = admin_b.get("/administration/professionnels/?q=test", HTTP_HX_REQUEST="true").content.decode()
    assert "@b.test" in body and "@a.test" not in body
    # home of B's director, and B's exchanges
    body = client_de(og_b["directeur"]).get("/").content.decode()
    assert "EHPAD B" in body and "EHPAD A" not in body
    body = client_de(og_b["directeur"]).get("/echanges/").content.decode()
    assert "Aucun échange" in body and "secret" not in body.lower() and "Erreur secrète A" not in body
    # B's nurse: her units only, and nothing of A in her relève
    infirmiere_b = client_de(og_b["infirmier"])
    body = infirmiere_b.get("/soins/").content.decode()
    assert "Pavillon B" in body and "Pavillon A" not in body
    body = infirmiere_b.get(f"/soins/unite/{og_b.unite.public_id}/releve/").content.decode()
    assert "secret A" not in body and "Amoxicilline" not in body and "SECRET" not in body
    # … nor in her eMAR round, piluliers, stock, drug search (reference data only)
    for url in (
        f"/medicaments/unite/{og_b.unite.public_id}/tournee/",
        f"/medicaments/unite/{og_b.unite.public_id}/piluliers/",
        "/medicaments/stock/",
        "/medicaments/recherche/?q=doliprane",
    ):
        body = infirmiere_b.get(url).content.decode()
        assert "SECRET" not in body and "LOT-SECRET-A" not in body and "Œdèmes" not in body, url


def test_export_of_b_contains_nothing_of_a(
    og_a, og_b, client_de, settings, django_capture_on_commit_callbacks
):
    from pathlib import Path

    with tenant_context(og_a.organisme.pk):
        JournalAcces.objects.create(
            organisme=og_a.organisme,
            professionnel=og_a["medecin"],
            type_acces="lecture",
            objet_type="x",
            libelle="Lecture secrète A",
        )
    with tenant_context(og_b.organisme.pk):
        JournalAcces.objects.create(
            organisme=og_b.organisme,
            professionnel=og_b["medecin"],
            type_acces="lecture",
            objet_type="x",
            libelle="Lecture de B",
        )
    client = client_de(og_b.dpo)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/journal/export/", {}).status_code == 302
    with tenant_context(og_b.organisme.pk):
        export = ExportJournal.objects.get()
    assert export.statut == "termine" and export.nb_lignes == 1
    contenu = (Path(settings.MEDIA_ROOT) / export.fichier).read_text(encoding="utf-8-sig")
    assert "Lecture de B" in contenu and "secrète A" not in contenu
    r = client.get(f"/journal/export/{export.public_id}/")
    assert r.status_code == 200 and b"Lecture de B" in b"".join(r.streaming_content)
    # The other tenant's DPO, and a non-DPO of B, cannot download it.
    assert client_de(og_a.dpo).get(f"/journal/export/{export.public_id}/").status_code == 404
    assert client_de(og_b["medecin"]).get(f"/journal/export/{export.public_id}/").status_code == 404


def test_malformed_and_unknown_ids_are_404_never_500(og_a, client_de):
    client = client_de(og_a.admin)
    for url in (
        "/etablissements/pas-un-uuid/",
        "/etablissements/123/",
        f"/etablissements/{uuid.uuid4()}/",
        "/administration/professionnels/%27%3B--/",
        f"/administration/professionnels/{uuid.uuid4()}/",
        f"/administration/etablissements/{og_a.ehpad.public_id}/unites/?unite=pas-un-uuid",
        f"/administration/etablissements/{og_a.ehpad.public_id}/unites/?unite={uuid.uuid4()}",
        "/acces-exceptionnel/usager/00000000-0000-0000-0000-000000000000/",
    ):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "Page introuvable" in r.content.decode()


def test_oversized_post_is_a_clear_400(og_a, client_de, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    client = client_de(og_a.admin)
    r = client.post("/administration/etablissements/nouveau/", {"nom": "x" * 20_000})
    assert r.status_code == 400
    assert "trop volumineuses" in r.content.decode()
