"""The database wall with data in it: every tenant table holds rows of organisme A (the demo's first
organisme), and none of them is readable under B or without a tenant; every policy has the canonical text;
a table without ``organisme_id`` must be on an explicit list (so a new one cannot escape unnoticed).

The other RLS tests (``test_rls.py``) check the declarations; this one checks them against real rows, so
"B sees no row of A" cannot hold just because A has none."""

from __future__ import annotations

import pytest
from django.db import connection, connections

from accueil.demo import construire_demo
from dui.models import OrganismeGestionnaire
from dui.tenancy import tenant_context

pytestmark = pytest.mark.django_db(databases=["default", "owner"])

# Tables without organisme_id, each for a reason.
SANS_ORGANISME = {
    "dui_organismegestionnaire": "le registre des locataires lui-même",
    "dui_historicalorganismegestionnaire": "son historique",
    "django_migrations": "état du schéma",
    "django_content_type": "registre des modèles",
    "auth_permission": "codes de permission (communs)",
    "auth_group": "inutilisé : les rôles sont dans habilitations.roles",
    "auth_group_permissions": "inutilisé",
    "guardian_userobjectpermission": "inutilisé : les exceptions d'accès ont leurs tables à clé directe, avec organisme_id",
    "guardian_groupobjectpermission": "inutilisé",
    "django_session": "sessions (clé aléatoire, expirées)",
    "accompagnement_codeserafin": "référentiel SERAFIN-PH commun (lecture seule pour le rôle applicatif)",
    "medicaments_specialite": "base publique des médicaments (BDPM), commune",
    "medicaments_substance": "BDPM",
    "medicaments_composition": "BDPM",
    "medicaments_presentation": "BDPM",
    "medicaments_groupegenerique": "BDPM",
    "medicaments_membregroupe": "BDPM",
}
# The one window across tenants: finding a professional by e-mail at login (dui.tenancy.auth_lookup).
FENETRE_AUTHENTIFICATION = {
    "habilitations_professionnel",
    "habilitations_historicalprofessionnel",
    "habilitations_dispositiftotp",
    "habilitations_codesecours",
    "habilitations_evenementauthentification",
    # a shared tablet's user picker, before anyone is logged in (issue 23, item 7)
    "habilitations_postepartage",
    "habilitations_presenceposte",
    "habilitations_codepin",
    "coordination_jetonagenda",  # a calendar feed is read before any tenant is known (its secret)
    "relation_compteproche",  # the space of the persons and relatives: its login (issue 19)
    "relation_invitation",  # an invitation link, read by its token before any tenant is known
}
CONDITION = "(organisme_id = dui_current_organisme())"
CONDITION_AUTH = "((organisme_id = dui_current_organisme()) OR dui_auth_lookup())"


def _tables() -> tuple[list[str], list[str]]:
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            """
            SELECT t.table_name, EXISTS (
                SELECT 1 FROM information_schema.columns c WHERE c.table_schema = 'public'
                AND c.table_name = t.table_name AND c.column_name = 'organisme_id')
            FROM information_schema.tables t
            WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE' ORDER BY 1"""
        )
        lignes = cursor.fetchall()
    return [t for t, avec in lignes if avec], [t for t, avec in lignes if not avec]


def test_a_table_without_organisme_id_is_on_the_explicit_list():
    _, sans = _tables()
    assert set(sans) == set(SANS_ORGANISME), (
        "Une table sans organisme_id doit être déclarée (avec sa raison) dans SANS_ORGANISME, "
        f"ou recevoir la colonne : {sorted(set(sans) ^ set(SANS_ORGANISME))}"
    )


def test_every_policy_has_the_canonical_text_and_the_auth_window_only_where_listed():
    avec, _ = _tables()
    with connections["owner"].cursor() as cursor:
        cursor.execute(
            "SELECT tablename, policyname, permissive, cmd, qual, with_check FROM pg_policies "
            "WHERE schemaname = 'public'"
        )
        politiques: dict[str, list[tuple]] = {}
        for table, nom, permissive, commande, qual, check in cursor.fetchall():
            politiques.setdefault(table, []).append((nom, permissive, commande, qual, check))
    assert set(politiques) == set(avec), sorted(set(politiques) ^ set(avec))
    for table in avec:
        attendue = CONDITION_AUTH if table in FENETRE_AUTHENTIFICATION else CONDITION
        assert politiques[table] == [("tenant_isolation", "PERMISSIVE", "ALL", attendue, attendue)], table


def _completer(organisme: OrganismeGestionnaire) -> None:
    """One row in each tenant table the demo leaves empty (events that happen in use: a commission, an
    attachment, a break-the-glass, read marks…), written under A's tenant like the application would."""
    import datetime

    from django.contrib.auth.models import Permission
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accompagnement.models import EvaluationGrille, GrilleEvaluation
    from admission.models import DecisionCommission, DemandeAdmission, PieceJointe
    from dui.models import Etablissement, ExportJournal, JournalAcces, Unite
    from habilitations.models import (
        BrisDeGlace,
        CodeSecours,
        EvenementAuthentification,
        ExceptionAccesEtablissement,
        Professionnel,
    )
    from soins.models import Lecture, PriseDePoste, SeuilConstante, Transmission
    from usagers.models import AppelInsi, ExceptionAccesUsager, Usager

    with tenant_context(organisme.pk):
        from documents.models import Document
        from relation.models import Campagne, CompteProche, Message, PartageDocument, ParticipationEnquete
        from relation.models import PieceJointe as PieceJointeMessage

        message = Message.objects.order_by("pk").first()
        piece = PieceJointeMessage(
            organisme=organisme, message=message, nom="photo.pdf", type_mime="application/pdf", taille=9
        )
        piece.fichier.save("photo.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        piece.save()
        document = Document.objects.order_by("pk").first()
        PartageDocument.objects.create(
            organisme=organisme, usager_id=document.usager_id, document=document,
            partage_par=Professionnel.objects.filter(organisme=organisme).order_by("pk").first(),
        )  # fmt: skip
        ParticipationEnquete.objects.create(
            organisme=organisme, campagne=Campagne.objects.order_by("pk").first(),
            compte=CompteProche.objects.order_by("pk").first(),
        )  # fmt: skip
        pro = Professionnel.objects.filter(organisme=organisme).order_by("pk").first()
        usager = Usager.objects.order_by("pk").first()
        grille = GrilleEvaluation.objects.order_by("pk").first()
        etab = Etablissement.objects.order_by("pk").first()
        demande = DemandeAdmission.objects.order_by("pk").first()
        from rgpd.models import DemandeDroitAcces, RegleConservation

        DemandeDroitAcces.objects.create(
            organisme=organisme, usager=usager, demandeur=pro, motif="Courrier du 2/11"
        )
        RegleConservation.objects.create(
            organisme=organisme,
            nature="dossier",
            archivage_apres_mois=24,
            conservation_annees=5,
            source="Interne",
        )
        EvaluationGrille.objects.create(
            organisme=organisme,
            usager=usager,
            etablissement=grille.etablissement,
            grille=grille,
            categorie=grille.categorie,
            date_evaluation=timezone.localdate(),
            evaluateur=pro,
        )
        DecisionCommission.objects.create(
            organisme=organisme,
            demande=demande,
            date_commission=timezone.localdate(),
            decision="ajourne",
            auteur=pro,
        )
        piece = PieceJointe(
            organisme=organisme, demande=demande, libelle="Certificat médical", depose_par=pro
        )
        piece.fichier.save("certificat.pdf", ContentFile(b"%PDF-1.4 essai"), save=True)
        ExportJournal.objects.create(organisme=organisme, demandeur=pro)
        from habilitations.models import PolitiquePSC

        PolitiquePSC.objects.create(organisme=organisme, reauth_bris_de_glace_minutes=10)
        from pilotage.models import RapportActivite

        RapportActivite.objects.create(organisme=organisme, etablissement=etab, annee=2025, demandeur=pro)
        from dui.models import ExportListe

        ExportListe.objects.create(
            organisme=organisme, liste="liste_attente", titre="Liste d'attente", demandeur=pro
        )
        JournalAcces.objects.create(
            organisme=organisme,
            professionnel=pro,
            type_acces="lecture",
            objet_type="usagers.usager",
            libelle="lecture",
        )
        BrisDeGlace.objects.create(
            organisme=organisme,
            professionnel=pro,
            etablissement=etab,
            objet_type="usagers.usager",
            objet_id=usager.public_id,
            objet_libelle=str(usager),
            motif="Urgence de nuit, médecin traitant injoignable",
            expire_le=timezone.now() + datetime.timedelta(hours=1),
        )
        CodeSecours.objects.create(organisme=organisme, professionnel=pro, empreinte="0" * 64)
        from habilitations.models import CodePIN, PostePartage, PresencePoste

        tablette = PostePartage.objects.create(
            organisme=organisme,
            etablissement=etab,
            libelle="Chariot 1",
            empreinte_jeton="1" * 64,
            enrole_par=pro,
        )
        PresencePoste.objects.create(
            organisme=organisme,
            poste=tablette,
            professionnel=pro,
            methode="locale",
            expire_le=timezone.now() + datetime.timedelta(hours=8),
        )
        CodePIN.objects.create(organisme=organisme, professionnel=pro, empreinte="0" * 64)
        EvenementAuthentification.objects.create(
            organisme=organisme, professionnel=pro, email_saisi=pro.email, type_evenement="succes"
        )
        ExceptionAccesEtablissement.objects.create(
            organisme=organisme,
            user=pro,
            content_object=etab,
            permission=Permission.objects.get(codename="refuser_medical", content_type__app_label="dui"),
        )
        ExceptionAccesUsager.objects.create(
            organisme=organisme,
            user=pro,
            content_object=usager,
            permission=Permission.objects.get(codename="accorder_soins", content_type__app_label="usagers"),
        )
        Lecture.objects.create(
            organisme=organisme, professionnel=pro, transmission=Transmission.objects.order_by("pk").first()
        )
        PriseDePoste.objects.create(
            organisme=organisme,
            professionnel=pro,
            unite=Unite.objects.order_by("pk").first(),
            poste="matin",
            date_poste=timezone.localdate(),
        )
        SeuilConstante.objects.create(
            organisme=organisme, usager=usager, type_constante="poids", modifie_par=pro
        )
        AppelInsi.objects.create(organisme=organisme, usager=usager, demandeur=pro)
        from coordination.models import JetonAgenda

        JetonAgenda.objects.create(organisme=organisme, professionnel=pro, empreinte="1" * 64)
        from interop.models import BoiteMssante, MessageRecu, ReleveMssante

        boite = BoiteMssante.objects.get(organisme=organisme)  # the demo's EHPAD mailbox
        ReleveMssante.objects.create(organisme=organisme, boite=boite, uid_validity=1, dernier_uid=1)
        recu = MessageRecu(
            organisme=organisme,
            etablissement=boite.etablissement,
            boite=boite,
            uid_validity=1,
            uid=1,
            recu_le=timezone.now(),
            sujet="Compte rendu",
            usager_propose=usager,
        )
        recu.brut.save("m.eml", ContentFile(b"Subject: Compte rendu\r\n\r\nTexte\r\n"), save=False)
        recu.save()


@pytest.fixture
def demo(codes_serafin, base_bdpm, serveur_dmp, serveur_smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        construire_demo()
    tilleuls = OrganismeGestionnaire.objects.get(raison_sociale="Association Les Tilleuls")
    horizon = OrganismeGestionnaire.objects.get(raison_sociale="Fondation Horizon")
    _completer(tilleuls)
    return tilleuls, horizon


def _compter(table: str, organisme_id: int | None = None) -> int:
    with connection.cursor() as cursor:
        if organisme_id is None:
            cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 - table names from the catalogue
        else:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE organisme_id = %s", [organisme_id])  # noqa: S608
        return cursor.fetchone()[0]


def test_every_tenant_table_holds_rows_of_a_that_b_and_nobody_else_can_read(demo):
    tilleuls, horizon = demo
    avec, _ = _tables()
    with tenant_context(tilleuls.pk):
        vides = [t for t in avec if _compter(t) == 0]
    assert vides == [], f"Tables de locataire sans ligne de A : complétez _completer : {vides}"
    with tenant_context(horizon.pk):
        visibles = {t: n for t in avec if (n := _compter(t, tilleuls.pk))}
    assert visibles == {}, f"Lignes de A lues sous B : {visibles}"
    # no tenant at all: nothing (an unset setting never means "every row")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('app.organisme_id', '', true)")
    sans_locataire = {t: n for t in avec if t not in FENETRE_AUTHENTIFICATION and (n := _compter(t))}
    assert sans_locataire == {}, sans_locataire


def test_b_cannot_write_a_row_for_a(demo):
    tilleuls, horizon = demo
    with tenant_context(horizon.pk), connection.cursor() as cursor:
        cursor.execute("SAVEPOINT essai")
        with pytest.raises(Exception, match="row-level security"):
            cursor.execute(
                "INSERT INTO dui_journalacces (organisme_id, horodatage, professionnel_id, type_acces, objet_type,"
                " libelle, chemin) SELECT %s, now(), id, 'lecture', '', 'intrus', '/' "
                "FROM habilitations_professionnel LIMIT 1",
                [tilleuls.pk],
            )
        cursor.execute("ROLLBACK TO SAVEPOINT essai")
        # and cannot move B's rows to A either
        cursor.execute("SAVEPOINT essai2")
        with pytest.raises(Exception, match="row-level security"):
            cursor.execute("UPDATE usagers_usager SET organisme_id = %s", [tilleuls.pk])
        cursor.execute("ROLLBACK TO SAVEPOINT essai2")
