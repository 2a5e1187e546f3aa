"""No double booking: the exclusion constraints (person, professional, resource) and the French message."""

import datetime
import threading

import pytest
from django.contrib.postgres.fields.ranges import DateTimeTZRange
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from coordination import services
from coordination.models import Evenement, Reservation, Transport
from dui.tenancy import tenant_context
from tests.soins.conftest import creer_resident

from .conftest import demain, rdv, vehicule


def test_la_personne_ne_peut_pas_avoir_deux_rendez_vous_qui_se_chevauchent(og_a, personne):
    rdv(og_a, personne, heure=10, duree=2)
    with pytest.raises(ValidationError) as exc:
        rdv(og_a, personne, heure=11, titre="Pédicure", genre="rdv_interne")
    message = exc.value.messages[0]
    assert "MARCHAND Odette a déjà un engagement" in message
    assert "« Consultation cardiologie »" in message and "de 10:00 à 12:00" in message
    rdv(og_a, personne, heure=12, titre="Pédicure", genre="rdv_interne")  # back to back: allowed


def test_un_professionnel_et_une_ressource_ne_sont_pas_reserves_deux_fois(og_a, personne):
    autre = creer_resident(
        og_a, chambre="14", nom_naissance="Bernard", premier_prenom="Léon", prenoms_naissance=["Léon"]
    )
    minibus = vehicule(og_a)
    kine = og_a["infirmier"]
    transport = lambda h: {  # noqa: E731
        "mode": "vehicule",
        "vehicule": minibus,
        "conducteur": None,
        "depart": services_instant(h - 1),
        "retour": services_instant(h + 2),
    }
    rdv(og_a, personne, heure=10, professionnels=[kine], transport=transport(10))
    with pytest.raises(ValidationError) as exc:
        rdv(og_a, autre, heure=10, professionnels=[kine])
    assert "est déjà pris(e)" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        rdv(og_a, autre, heure=11, transport=transport(11))
    assert "« Minibus » est déjà réservé(e)" in exc.value.messages[0]


def services_instant(heure):
    from coordination.forms import instant

    return instant(demain(), datetime.time(heure))


def test_annuler_libere_le_creneau_et_l_historique_garde_le_motif(og_a, personne):
    premier = rdv(og_a, personne, heure=10)
    with tenant_context(og_a.organisme.pk):
        services.do_changer_statut(og_a["infirmier"], premier, "reporte", "Ambulance indisponible")
        assert not Reservation.objects.filter(evenement=premier, active=True).exists()
    rdv(og_a, personne, heure=10, titre="Consultation reportée")
    with tenant_context(og_a.organisme.pk):
        premier.refresh_from_db()
        assert premier.motif_cloture == "Ambulance indisponible"
        assert premier.history.count() == 2
        with pytest.raises(ValidationError, match="motif"):
            services.do_changer_statut(
                og_a["infirmier"], Evenement.objects.exclude(pk=premier.pk).get(), "annule", ""
            )


def test_la_contrainte_tient_sans_le_controle_python(og_a, personne):
    evenement = rdv(og_a, personne, heure=10)
    with tenant_context(og_a.organisme.pk):
        periode = DateTimeTZRange(
            evenement.debut + datetime.timedelta(minutes=30), evenement.fin + datetime.timedelta(hours=1)
        )
        with (
            pytest.raises(IntegrityError, match="reservation_usager_sans_chevauchement"),
            transaction.atomic(),
        ):
            Reservation.objects.create(
                organisme=og_a.organisme, evenement=evenement, periode=periode, usager=personne
            )
        Reservation.objects.create(
            organisme=og_a.organisme, evenement=evenement, periode=periode, usager=personne, active=False
        )


def test_une_serie_en_conflit_est_refusee_entiere_en_nommant_l_occurrence(og_a, personne):
    from coordination.recurrence import Regle

    rdv(og_a, personne, heure=10, jour=demain() + datetime.timedelta(days=7))
    with pytest.raises(ValidationError) as exc:
        rdv(
            og_a,
            personne,
            heure=10,
            titre="Kiné",
            genre="rdv_interne",
            regle=Regle("hebdomadaire", 1, demain() + datetime.timedelta(days=21)),
        )
    assert (
        len(exc.value.messages) == 1
        and f"le {demain() + datetime.timedelta(days=7):%d/%m/%Y}" in exc.value.messages[0]
    )
    with tenant_context(og_a.organisme.pk):
        assert Evenement.objects.filter(titre="Kiné").count() == 0


def test_deplacer_une_occurrence_en_fait_une_exception_et_deplace_son_transport(og_a, personne):
    from coordination.recurrence import Regle

    minibus = vehicule(og_a)
    premier = rdv(
        og_a,
        personne,
        heure=10,
        titre="Kiné",
        genre="rdv_interne",
        regle=Regle("hebdomadaire", 1, demain() + datetime.timedelta(days=14)),
        transport={
            "mode": "vehicule",
            "vehicule": minibus,
            "depart": services_instant(9),
            "retour": services_instant(12),
        },
    )
    with tenant_context(og_a.organisme.pk):
        assert Evenement.objects.filter(serie=premier.serie).count() == 3
        assert Transport.objects.filter(evenement__serie=premier.serie).count() == 3
        services.do_deplacer(
            og_a["infirmier"],
            premier,
            premier.debut + datetime.timedelta(hours=4),
            premier.fin + datetime.timedelta(hours=4),
        )
        premier.refresh_from_db()
        assert premier.exception
        assert premier.transport.depart == services_instant(13)
        assert Reservation.objects.get(
            evenement=premier, ressource=minibus
        ).periode.lower == services_instant(13)


def test_sans_droit_ou_d_un_autre_organisme_refuse(og_a, og_b, personne):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rdv(og_a, personne, auteur="pharmacien")
    with tenant_context(og_b.organisme.pk), pytest.raises(PermissionDenied):
        services.do_planifier(
            og_b["infirmier"],
            og_a.ehpad,
            genre="rdv_externe",
            usager=personne,
            titre="x",
            debut=services_instant(10),
            fin=services_instant(11),
        )


@pytest.mark.django_db(transaction=True)
def test_deux_reservations_simultanees_une_seule_gagne(og_a):
    """Two real transactions book the same minibus at overlapping times: both pass the Python check, the
    exclusion constraint keeps exactly one, and the other gets the French message."""
    personnes = [creer_resident(og_a, chambre=str(20 + i), nom_naissance=f"Simultane{i}") for i in range(2)]
    minibus = vehicule(og_a)
    barriere = threading.Barrier(2)
    original = services.conflits
    resultats: list = []

    def conflits_puis_attendre(*args, **kwargs):
        trouves = original(*args, **kwargs)
        if not getattr(local, "passe", False):
            local.passe = True
            barriere.wait(timeout=10)
        return trouves

    local = threading.local()

    def reserver(personne, heure):
        from django.db import connections

        try:
            with tenant_context(og_a.organisme.pk):
                transport = {
                    "mode": "vehicule",
                    "vehicule": minibus,
                    "depart": services_instant(heure),
                    "retour": services_instant(heure + 2),
                }
                resultats.append(rdv(og_a, personne, heure=heure, transport=transport).pk)
        except ValidationError as exc:
            resultats.append(exc.messages[0])
        finally:
            connections.close_all()

    services.conflits = conflits_puis_attendre
    try:
        fils = [
            threading.Thread(target=reserver, args=(p, h)) for p, h in zip(personnes, (10, 11), strict=True)
        ]
        for f in fils:
            f.start()
        for f in fils:
            f.join(timeout=30)
    finally:
        services.conflits = original
    messages = [r for r in resultats if isinstance(r, str)]
    assert len(resultats) == 2 and len(messages) == 1, resultats
    assert "« Minibus » est déjà réservé(e)" in messages[0]
    with tenant_context(og_a.organisme.pk):
        assert Reservation.objects.filter(ressource=minibus, active=True).count() == 1
        assert Evenement.objects.count() == 1
    connection.close()


def test_annuler_une_occurrence_puis_la_suite_d_une_serie(og_a, personne):
    from coordination.recurrence import Regle

    premier = rdv(
        og_a,
        personne,
        heure=10,
        titre="Kiné",
        genre="rdv_interne",
        regle=Regle("hebdomadaire", 1, demain() + datetime.timedelta(days=28)),
    )
    with tenant_context(og_a.organisme.pk):
        occurrences = list(Evenement.objects.filter(serie=premier.serie).order_by("debut"))
        assert len(occurrences) == 5
        services.do_changer_statut(og_a["infirmier"], occurrences[1], "annule", "Kiné en congés")
        occurrences[1].refresh_from_db()
        assert occurrences[1].exception and occurrences[1].statut == "annule"
        assert [o.statut for o in Evenement.objects.filter(serie=premier.serie).order_by("debut")] == [
            "prevu",
            "annule",
            "prevu",
            "prevu",
            "prevu",
        ]
        # the slot of the cancelled occurrence is free again
        assert not Reservation.objects.filter(evenement=occurrences[1], active=True).exists()
        n = services.do_annuler_suite(og_a["infirmier"], occurrences[2], "Fin de la prescription")
        assert n == 3
        assert [o.statut for o in Evenement.objects.filter(serie=premier.serie).order_by("debut")] == [
            "prevu",
            "annule",
            "annule",
            "annule",
            "annule",
        ]
        assert Evenement.objects.get(pk=occurrences[4].pk).motif_cloture == "Fin de la prescription"


def test_le_message_de_conflit_ne_nomme_pas_ce_que_l_auteur_ne_voit_pas(og_a, personne):
    from django.contrib.auth.models import Permission

    from usagers.models import ExceptionAccesUsager

    autre = creer_resident(og_a, chambre="16", nom_naissance="Bernard")
    minibus = vehicule(og_a)
    rdv(
        og_a,
        personne,
        heure=10,
        titre="Consultation d'oncologie",
        transport={
            "mode": "vehicule",
            "vehicule": minibus,
            "depart": services_instant(9),
            "retour": services_instant(12),
        },
    )
    with tenant_context(og_a.organisme.pk):
        ExceptionAccesUsager.objects.create(
            organisme=og_a.organisme,
            user=og_a["educateur"],
            content_object=personne,
            permission=Permission.objects.get(
                codename="refuser_coordination", content_type__app_label="usagers"
            ),
        )
    with pytest.raises(ValidationError) as exc:
        rdv(
            og_a,
            autre,
            heure=11,
            auteur="educateur",
            titre="Sortie",
            transport={
                "mode": "vehicule",
                "vehicule": minibus,
                "depart": services_instant(11),
                "retour": services_instant(13),
            },
        )
    (message,) = exc.value.messages
    assert message.startswith(
        "« Minibus » est déjà réservé(e) à ce moment : un autre engagement de 09:00 à 12:00"
    )
    assert "oncologie" not in message and "MARCHAND" not in message


def test_une_serie_sans_fin_garde_un_an_d_avance_et_saute_ce_qui_serait_une_double_reservation(
    og_a, personne, django_capture_on_commit_callbacks
):
    from coordination.models import Serie
    from coordination.recurrence import HORIZON, Regle
    from coordination.tasks import prolonger_series_tous

    premier = rdv(
        og_a, personne, heure=10, titre="Coiffeur", genre="rdv_interne", regle=Regle("hebdomadaire", 1, None)
    )
    with tenant_context(og_a.organisme.pk):
        serie = Serie.objects.get(pk=premier.serie_id)
        assert serie.jusqu_au is None and serie.developpee_jusqu_au == demain() + HORIZON
        assert Evenement.objects.filter(serie=serie).count() == 53
        # as if a month had passed: the horizon moved, and someone booked the person on one of the new dates
        serie.developpee_jusqu_au -= datetime.timedelta(days=28)
        serie.save()
        a_recreer = Evenement.objects.filter(serie=serie, debut__date__gt=serie.developpee_jusqu_au)
        pris = min(timezone.localtime(e.debut).date() for e in a_recreer)
        a_recreer.delete()
        assert Evenement.objects.filter(serie=serie).count() == 49
    rdv(og_a, personne, heure=10, jour=pris, titre="Consultation")
    for _ in range(2):  # the nightly task, twice: idempotent
        with django_capture_on_commit_callbacks(execute=True):
            prolonger_series_tous.delay()
    with tenant_context(og_a.organisme.pk):
        serie.refresh_from_db()
        assert serie.developpee_jusqu_au == timezone.localdate() + HORIZON
        dates = set(Evenement.objects.filter(serie=serie).values_list("debut__date", flat=True))
        assert len(dates) == 52 and pris not in dates  # 49 + 4 − the one that would double-book
        assert serie.dates_sautees == [pris]
        assert Reservation.objects.filter(evenement__serie=serie, active=True).count() == 52


def test_la_prolongation_de_nuit_d_un_organisme_ne_touche_pas_l_autre(og_a, og_b, personne):
    """``coordination.prolonger_series`` runs per organisme: the run of B leaves A's series as they are, and
    the run of A extends them."""
    from coordination.models import Serie
    from coordination.recurrence import HORIZON, Regle
    from coordination.tasks import prolonger_series

    premier = rdv(
        og_a, personne, heure=9, titre="Kiné", genre="rdv_interne", regle=Regle("hebdomadaire", 1, None)
    )
    with tenant_context(og_a.organisme.pk):
        serie = Serie.objects.get(pk=premier.serie_id)
        serie.developpee_jusqu_au -= datetime.timedelta(days=28)
        serie.save()
        recul = serie.developpee_jusqu_au
        avant = Evenement.objects.filter(serie=serie).count()
    assert prolonger_series.delay(organisme_id=og_b.organisme.pk).get() == 0
    with tenant_context(og_a.organisme.pk):
        serie.refresh_from_db()
        assert serie.developpee_jusqu_au == recul and Evenement.objects.filter(serie=serie).count() == avant
    prolonger_series.delay(organisme_id=og_a.organisme.pk).get()
    with tenant_context(og_a.organisme.pk):
        serie.refresh_from_db()
        assert serie.developpee_jusqu_au == timezone.localdate() + HORIZON
