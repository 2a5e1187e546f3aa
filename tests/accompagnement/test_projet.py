"""Projet personnalisé lifecycle, through the services: recueil → co-construction → validation (refusal
kept) → mise en œuvre → bilan → révision (new version, previous one kept and replaced)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accompagnement import selectors, services
from accompagnement.models import (
    Action,
    Attente,
    AvisValidation,
    Besoin,
    CodeSerafin,
    Objectif,
    ProjetPersonnalise,
    Rappel,
    StatutPP,
)
from dui.tenancy import tenant_context
from tests.accompagnement.conftest import projet_en_co_construction, valider

pytestmark = pytest.mark.django_db


def test_full_cycle_with_refusal_validation_bilan_and_revision(og_a, resident_a):
    edu = og_a["educateur"]
    with tenant_context(og_a.organisme.pk):
        pp = services.do_creer_projet(edu, resident_a, og_a.ehpad, edu)
        assert pp.statut == StatutPP.RECUEIL and pp.version == 1
        with pytest.raises(ValidationError, match="au moins une attente"):
            services.do_passer_en_co_construction(edu, pp)
        services.do_ajouter_attente(edu, pp, Attente(source="usager", texte="Je veux retourner au marché"))
        services.do_ajouter_attente(
            edu, pp, Attente(source="famille", precision_source="sa fille", texte="Qu'elle garde ses amies")
        )
        services.do_passer_en_co_construction(edu, pp)
        pp.refresh_from_db()
        besoin = services.do_ajouter_besoin(edu, pp, Besoin(categorie_libre="Mobilité", priorite=1))
        objectif = services.do_ajouter_objectif(
            edu,
            pp,
            Objectif(
                libelle="Aller au marché le samedi",
                besoin=besoin,
                referent=edu,
                echeance=timezone.localdate() + datetime.timedelta(days=120),
                avis_usager="Oui, avec ma canne",
            ),
        )
        services.do_ajouter_action(
            edu,
            pp,
            Action(
                objectif=objectif,
                libelle="Accompagnement au marché",
                intervenant="Animatrice",
                frequence="chaque samedi",
            ),
        )
        # Refusal: recorded with its reason, the project stays in co-construction.
        with pytest.raises(ValidationError) as exc:
            services.do_recueillir_avis(
                edu,
                pp,
                AvisValidation(
                    decision="refus", exprime_par="usager", modalite="oral", date_avis=timezone.localdate()
                ),
            )
        assert "motif" in exc.value.message_dict
        services.do_recueillir_avis(
            edu,
            pp,
            AvisValidation(
                decision="refus",
                exprime_par="usager",
                modalite="oral",
                date_avis=timezone.localdate(),
                motif="« Je ne veux pas de la kiné le matin »",
            ),
        )
        pp.refresh_from_db()
        assert pp.statut == StatutPP.CO_CONSTRUCTION and pp.avis.get().decision == "refus"
        # Agreement by the legal representative: the name is required.
        avis = AvisValidation(
            decision="accord",
            exprime_par="representant",
            modalite="signature",
            date_avis=timezone.localdate(),
        )
        with pytest.raises(ValidationError) as exc:
            services.do_recueillir_avis(edu, pp, avis)
        assert "nom_representant" in exc.value.message_dict
        avis.nom_representant = "UDAF du Rhône"
        with pytest.raises(ValidationError, match="au moins une fois par an"):
            services.do_recueillir_avis(edu, pp, avis, timezone.localdate() + datetime.timedelta(days=400))
        services.do_recueillir_avis(edu, pp, avis)
        pp.refresh_from_db()
        assert pp.statut == StatutPP.EN_OEUVRE
        assert pp.date_validation == timezone.localdate()
        assert pp.echeance_bilan == timezone.localdate() + datetime.timedelta(days=365)
        assert list(pp.avis.values_list("decision", flat=True)) == ["refus", "accord"]
        # Validated content is frozen.
        with pytest.raises(ValidationError, match="validé"):
            services.do_ajouter_attente(edu, pp, Attente(source="usager", texte="Autre chose"))
        # Bilan: every objective needs a result.
        with pytest.raises(ValidationError, match="résultat de chaque objectif"):
            services.do_enregistrer_bilan(
                edu, pp, date_bilan=timezone.localdate(), synthese="Bonne année", avis_usager="", resultats={}
            )
        services.do_enregistrer_bilan(
            edu,
            pp,
            date_bilan=timezone.localdate(),
            synthese="Bonne année",
            avis_usager="Contente",
            resultats={objectif.pk: ("partiel", "2 fois sur 4")},
        )
        pp.refresh_from_db()
        assert pp.statut == StatutPP.BILAN
        # Revision: version 2, besoins and the partly reached objective (with its action) carried over.
        v2 = services.do_reviser(edu, pp)
        assert v2.version == 2 and v2.statut == StatutPP.RECUEIL and v2.precedent == pp
        assert list(v2.besoins.values_list("categorie_libre", flat=True)) == ["Mobilité"]
        copie = v2.objectifs.get()
        assert copie.reconduit_de == objectif and copie.resultat == "" and copie.actions.count() == 1
        assert copie.besoin.projet == v2
        assert v2.attentes.count() == 0  # collected anew
        pp.refresh_from_db()
        assert pp.statut == StatutPP.BILAN  # still the current one until v2 is validated
        services.do_ajouter_attente(edu, v2, Attente(source="usager", texte="Continuer le marché"))
        services.do_passer_en_co_construction(edu, v2)
        v2.refresh_from_db()
        valider(og_a, v2)
        pp.refresh_from_db()
        assert pp.statut == StatutPP.REMPLACE and v2.statut == StatutPP.EN_OEUVRE
        # Every version is kept.
        assert list(selectors.versions(v2).values_list("version", "statut")) == [
            (2, "en_oeuvre"),
            (1, "remplace"),
        ]


def test_one_current_and_one_draft_per_usager_and_esms_enforced_by_the_database(og_a, resident_a):
    pp = valider(og_a, projet_en_co_construction(og_a, resident_a))
    edu = og_a["educateur"]
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError, match="validé est en cours"):
            services.do_creer_projet(edu, resident_a, og_a.ehpad, edu)
        with pytest.raises(IntegrityError), transaction.atomic():
            ProjetPersonnalise.objects.create(
                organisme=og_a.organisme,
                usager=resident_a,
                etablissement=og_a.ehpad,
                version=9,
                coordonnateur=edu,
                statut=StatutPP.EN_OEUVRE,
                date_validation=pp.date_validation,
                echeance_bilan=pp.echeance_bilan,
            )
        with pytest.raises(ValidationError, match="La révision suit le bilan"):
            services.do_reviser(edu, pp)


def test_validation_needs_an_objective_and_a_past_date(og_a, resident_a):
    pp = projet_en_co_construction(og_a, resident_a, objectifs=0)
    with tenant_context(og_a.organisme.pk), pytest.raises(ValidationError, match="sans objectif"):
        services.do_recueillir_avis(
            og_a["educateur"],
            pp,
            AvisValidation(
                decision="accord", exprime_par="usager", modalite="oral", date_avis=timezone.localdate()
            ),
        )
    with tenant_context(og_a.organisme.pk), pytest.raises(ValidationError) as exc:
        services.do_recueillir_avis(
            og_a["educateur"],
            pp,
            AvisValidation(
                decision="accord",
                exprime_par="usager",
                modalite="oral",
                date_avis=timezone.localdate() + datetime.timedelta(days=2),
            ),
        )
    assert "date_avis" in exc.value.message_dict


def test_rights_and_rules_on_objectives(og_a, og_b, resident_a):
    pp = projet_en_co_construction(og_a, resident_a)
    with tenant_context(og_a.organisme.pk):
        # an aide-soignant has no "social" habilitation
        with pytest.raises(PermissionDenied):
            services.do_ajouter_attente(og_a["aide_soignant"], pp, Attente(source="usager", texte="x"))
        # a référent must be habilitated in the ESMS; a past deadline is refused
        with pytest.raises(ValidationError) as exc:
            services.do_ajouter_objectif(
                og_a["educateur"],
                pp,
                Objectif(
                    libelle="x",
                    referent=og_a.admin,
                    echeance=timezone.localdate() + datetime.timedelta(days=3),
                ),
            )
        assert "referent" in exc.value.message_dict
        with pytest.raises(ValidationError) as exc:
            services.do_ajouter_objectif(
                og_a["educateur"],
                pp,
                Objectif(
                    libelle="x",
                    referent=og_a["educateur"],
                    echeance=timezone.localdate() - datetime.timedelta(days=1),
                ),
            )
        assert "echeance" in exc.value.message_dict
    # the other tenant's professional cannot act (and does not even see the PP under RLS)
    with tenant_context(og_b.organisme.pk):
        assert not ProjetPersonnalise.objects.filter(pk=pp.pk).exists()
        with pytest.raises(PermissionDenied):
            services.do_passer_en_co_construction(og_b["educateur"], pp)


def test_serafin_besoin_must_be_a_current_J285_code(og_a, og_b, resident_a, codes_serafin):
    pp = projet_en_co_construction(og_a, resident_a)
    edu = og_a["educateur"]
    prestation = CodeSerafin.objects.get(jeu="J284", code="2.2.1")
    besoin = CodeSerafin.objects.get(jeu="J285", code="1.2.1.3")
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError):
            services.do_ajouter_besoin(edu, pp, Besoin(code_serafin=prestation))
        b = services.do_ajouter_besoin(edu, pp, Besoin(code_serafin=besoin))
        assert str(b) == "Besoins pour la mobilité"


def test_overdue_bilans_reminders_and_persons_without_pp(og_a, resident_a):
    from tests.usagers.conftest import creer_usager

    sans_pp = creer_usager(og_a, nom_naissance="Sans", premier_prenom="Projet", prenoms_naissance=["Projet"])
    il_y_a_un_an = timezone.localdate() - datetime.timedelta(days=400)
    pp = projet_en_co_construction(og_a, resident_a)
    with tenant_context(og_a.organisme.pk):
        # validated 400 days ago (written directly: the service refuses past validations beyond today)
        ProjetPersonnalise.objects.filter(pk=pp.pk).update(
            statut=StatutPP.EN_OEUVRE,
            date_validation=il_y_a_un_an,
            echeance_bilan=il_y_a_un_an + datetime.timedelta(days=365),
        )
        pp.refresh_from_db()
        assert pp.en_retard()
        suivi = selectors.suivi_des_bilans(og_a.ehpad)
        assert suivi["en_retard"] == [pp] and suivi["a_venir"] == []
        assert [s.usager for s in suivi["sans_pp"]] == [sans_pp]  # séjour since 2025-03-01, no PP
        # reminders: created once per PP and due date, for the coordonnateur
        assert services.creer_rappels_bilans(og_a.organisme.pk) == 1
        assert services.creer_rappels_bilans(og_a.organisme.pk) == 0
        rappel = Rappel.objects.get()
        assert rappel.destinataire == og_a["educateur"] and "en retard" in rappel.libelle
        # the bilan closes the reminder
        services.do_enregistrer_bilan(
            og_a["educateur"],
            pp,
            date_bilan=timezone.localdate(),
            synthese="Fait",
            avis_usager="",
            resultats={o.pk: ("atteint", "") for o in pp.objectifs.all()},
        )
        rappel.refresh_from_db()
        assert rappel.fait_le is not None
        assert selectors.suivi_des_bilans(og_a.ehpad)["en_retard"] == []


def test_reminder_task_runs_per_tenant_and_refuses_without_one(og_a, og_b, resident_a):
    from accompagnement.tasks import rappels_bilans, rappels_bilans_organisme
    from dui.tasks import TenantContextError

    pp = projet_en_co_construction(og_a, resident_a)
    with tenant_context(og_a.organisme.pk):
        ProjetPersonnalise.objects.filter(pk=pp.pk).update(
            statut=StatutPP.EN_OEUVRE,
            date_validation=timezone.localdate() - datetime.timedelta(days=340),
            echeance_bilan=timezone.localdate() + datetime.timedelta(days=20),
        )
    assert rappels_bilans_organisme.delay(organisme_id=og_b.organisme.pk).get() == 0  # B sees nothing of A
    assert rappels_bilans.delay().get() >= 2  # one task per organisme
    with tenant_context(og_a.organisme.pk):
        assert Rappel.objects.count() == 1
    with pytest.raises(TenantContextError):
        rappels_bilans_organisme.delay().get()
