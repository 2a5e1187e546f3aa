"""Issue 15, item 10: retention and archiving. A dossier whose last séjour ended long ago is archived
(read-only, the DPO only, journaled); past its retention it is proposed to the DPO, who anonymises it
(identity, free texts, files and their history wiped; dates and codes kept), traced."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection

from dui.models import JournalAcces, TypeAcces
from dui.tenancy import tenant_context
from rgpd import cycle
from tests.soins.conftest import creer_resident, ecrire
from usagers.models import Sejour, Usager

pytestmark = pytest.mark.django_db


def _sortie(tenant, usager, jour, motif="Retour à domicile"):
    with tenant_context(tenant.organisme.pk):
        Sejour.objects.filter(usager=usager).update(
            date_entree=min(jour, datetime.date(2025, 3, 1)), date_sortie=jour, motif_sortie=motif
        )


@pytest.fixture
def parti(og_a):
    """A resident who left three years ago, with a transmission and a photo."""
    usager = creer_resident(
        og_a,
        nom_naissance="Marchetti",
        premier_prenom="Lucie",
        prenoms_naissance=["Lucie"],
        date_naissance=datetime.date(1931, 7, 14),
    )
    ecrire(og_a, usager, donnees="Lucie Marchetti pleure le soir, parle de son fils Marc")
    with tenant_context(og_a.organisme.pk):
        usager.photo.save("marchetti.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64), save=True)
    # a filed letter, indexed (its text and search vector hold her name), with tags (issue 18)
    from documents import services as documents
    from tests.documents.conftest import deposer, pdf_texte

    with tenant_context(og_a.organisme.pk):
        documents.do_installer_plan_type(og_a.admin)
    deposer(
        og_a,
        usager,
        pdf_texte("Courrier pour Lucie Marchetti : elle pleure le soir"),
        titre="Courrier Marchetti",
        etiquettes=["fils Marc"],
    )
    _sortie(og_a, usager, datetime.date(2025, 6, 30))
    return usager


def test_a_dossier_closed_long_enough_is_archived_then_only_the_dpo_reads_it(og_a, og_b, parti, client_de):
    reste = creer_resident(og_a, nom_naissance="Present")  # still there: never archived
    with tenant_context(og_a.organisme.pk):
        assert cycle.archiver(og_a.organisme.pk, datetime.date(2026, 6, 1)) == 0  # 11 months: not yet
        assert cycle.archiver(og_a.organisme.pk, datetime.date(2027, 7, 1)) == 1
        assert Usager.objects.get(pk=parti.pk).archive_le is not None
        assert Usager.objects.get(pk=reste.pk).archive_le is None
    url = f"/usagers/{parti.public_id}/"
    infirmier = client_de(og_a["infirmier"])
    assert infirmier.get(url).status_code == 404
    assert "MARCHETTI" not in infirmier.post("/usagers/", {"q": "marchetti"}).content.decode()
    assert infirmier.get(f"/soins/dossier/{parti.public_id}/transmissions/").status_code == 404
    assert client_de(og_a["directeur"]).get(url).status_code == 404
    dpo = client_de(og_a.dpo)
    assert dpo.get(url).status_code == 200
    assert "pleure le soir" in dpo.get(f"/soins/dossier/{parti.public_id}/transmissions/").content.decode()
    # read-only, even for the DPO
    r = dpo.post(
        f"/usagers/{parti.public_id}/entourage/", {"proche": "1", "nom": "Marchetti", "lien": "enfant"}
    )
    assert r.status_code in (403, 404)
    with tenant_context(og_a.organisme.pk):
        assert JournalAcces.objects.filter(
            professionnel=og_a.dpo, objet_id=parti.public_id, type_acces=TypeAcces.LECTURE
        ).exists()
    assert client_de(og_b.dpo).get(url).status_code == 404  # never another organisme's


def test_past_retention_it_is_proposed_and_anonymised_keeping_the_statistics(og_a, og_b, parti, client_de):
    with tenant_context(og_a.organisme.pk):
        cycle.archiver(og_a.organisme.pk, datetime.date(2027, 7, 1))
        assert cycle.a_anonymiser(og_a.organisme.pk, datetime.date(2040, 1, 1)) == []  # santé: 20 years
        proposes = cycle.a_anonymiser(og_a.organisme.pk, datetime.date(2045, 7, 1))
        assert [(u.pk, quand) for u, quand in proposes] == [(parti.pk, datetime.date(2045, 6, 30))]
    photo = parti.photo.path
    # a duplicate merged into her dossier carries her identity too: it goes with it
    from tests.factories import UsagerFactory

    with tenant_context(og_a.organisme.pk):
        UsagerFactory(
            organisme=og_a.organisme,
            nom_naissance="Marchetti",
            premier_prenom="Lucie",
            prenoms_naissance=["Lucie"],
            fusionne_dans=parti,
        )
    # the page lists what is due today: the end of the séjour is moved back for the test
    _sortie(og_a, parti, datetime.date(2004, 6, 30))
    dpo = client_de(og_a.dpo)
    page = dpo.get("/rgpd/conservation/").content.decode()
    assert page.count('data-testid="propose"') == 1 and "MARCHETTI" in page
    assert client_de(og_a["directeur"]).get("/rgpd/conservation/").status_code == 404
    assert (
        client_de(og_b.dpo)
        .post(f"/rgpd/conservation/{parti.public_id}/anonymiser/", {"confirmation": "oui"})
        .status_code
        == 404
    )
    r = dpo.post(f"/rgpd/conservation/{parti.public_id}/anonymiser/", {})  # no confirmation: nothing done
    with tenant_context(og_a.organisme.pk):
        assert Usager.objects.get(pk=parti.pk).anonymise_le is None
    r = dpo.post(f"/rgpd/conservation/{parti.public_id}/anonymiser/", {"confirmation": "oui"})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        u = Usager.objects.get(pk=parti.pk)
        assert u.anonymise_le and u.nom_naissance == "ANONYME" and u.prenoms_naissance == ["ANONYME"]
        assert u.date_naissance == datetime.date(1931, 1, 1) and not u.photo
        assert Sejour.objects.get(usager=u).date_sortie == datetime.date(2004, 6, 30)  # statistics kept
        assert JournalAcces.objects.filter(
            objet_id=u.public_id, libelle__startswith="Dossier anonymisé en fin de conservation"
        ).exists()
    import os

    assert not os.path.exists(photo)
    # nothing of her identity or of her free texts is left in any table of the dossier, history included
    with tenant_context(og_a.organisme.pk), connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "AND table_name NOT IN ('dui_journalacces')"
        )
        tables = [t for (t,) in cursor.fetchall()]
        restes = []
        for table in tables:
            for trace in ("%marchetti%", "%pleure le soir%", "%fils Marc%"):
                cursor.execute(f'SELECT count(*) FROM "{table}" WHERE "{table}"::text ILIKE %s', [trace])
                if cursor.fetchone()[0]:
                    restes.append((table, trace))
    assert restes == []
    assert client_de(og_a.dpo).get("/rgpd/conservation/").content.decode().count('data-testid="propose"') == 0


def test_a_death_shortens_the_health_retention_to_ten_years(og_a, parti):
    _sortie(og_a, parti, datetime.date(2025, 6, 30), motif="Décès")
    with tenant_context(og_a.organisme.pk):
        u = Usager.objects.get(pk=parti.pk)
        regles = cycle.regles(og_a.organisme.pk)
        assert cycle.echeance(u, datetime.date(2025, 6, 30), regles) == datetime.date(2035, 6, 30)


def test_the_dpo_sets_a_rule_with_its_source_and_bad_input_is_kept(og_a, client_de):
    dpo = client_de(og_a.dpo)
    r = dpo.post(
        "/rgpd/conservation/",
        {
            "nature": "dossier",
            "dossier-archivage_apres_mois": "0",
            "dossier-conservation_annees": "5",
            "dossier-source": "Politique interne",
        },
    )
    assert r.status_code == 200 and "Politique interne" in r.content.decode()
    r = dpo.post(
        "/rgpd/conservation/",
        {
            "nature": "dossier",
            "dossier-archivage_apres_mois": "12",
            "dossier-conservation_annees": "6",
            "dossier-source": "Politique interne",
        },
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        regle = cycle.regles(og_a.organisme.pk)["dossier"]
        assert (regle.archivage_apres_mois, regle.conservation_annees) == (12, 6)
        assert cycle.regles(og_a.organisme.pk)["sante"].source.startswith(
            "Code de la santé publique, art. R1112-7"
        )


def test_the_export_holds_the_duplicates_merged_into_the_dossier(og_a, parti):
    from rgpd.extraction import extraire
    from tests.factories import UsagerFactory

    with tenant_context(og_a.organisme.pk):
        doublon = UsagerFactory(organisme=og_a.organisme, nom_naissance="Marcheti", fusionne_dans=parti)
        sections = {s.label: s for s in extraire(Usager.objects.get(pk=parti.pk))}
    assert sections["usagers.usager"].public_ids == {str(parti.public_id), str(doublon.public_id)}


def test_the_periodic_tasks_work_within_each_organisme_only(og_a, og_b, parti, client_de):
    """The archiving task of one organisme never touches another's dossiers, and the DPO page of the other
    organisme shows none of them."""
    from rgpd.tasks import archiver

    autre = creer_resident(og_b, nom_naissance="Ailleurs")
    _sortie(og_a, parti, datetime.date(2020, 6, 30))
    _sortie(og_b, autre, datetime.date(2020, 6, 30))
    archiver.delay(organisme_id=og_a.organisme.pk)
    with tenant_context(og_a.organisme.pk):
        assert Usager.objects.get(pk=parti.pk).archive_le is not None
    with tenant_context(og_b.organisme.pk):
        assert Usager.objects.get(pk=autre.pk).archive_le is None
    page = client_de(og_b.dpo).get("/rgpd/conservation/").content.decode()
    assert "MARCHETTI" not in page.upper() and "Dossiers archivés (0)" in page
    archiver.delay(organisme_id=og_b.organisme.pk)
    with tenant_context(og_b.organisme.pk):
        assert Usager.objects.get(pk=autre.pk).archive_le is not None
    assert "AILLEURS" not in client_de(og_a.dpo).get("/rgpd/conservation/").content.decode().upper()
