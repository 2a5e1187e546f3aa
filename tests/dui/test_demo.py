"""The demo data builds, is idempotent, and respects the tenant wall."""

import pytest
from django.utils import timezone

from accueil.demo import construire_demo
from dui.models import OrganismeGestionnaire
from dui.tenancy import auth_lookup, tenant_context
from usagers.models import Usager

pytestmark = pytest.mark.django_db


def test_demo_builds_once_with_two_organismes_and_usagers(
    codes_serafin,
    base_bdpm,
    serveur_dmp,
    serveur_smtp,
    serveur_imap,
    django_capture_on_commit_callbacks,
    settings,
):
    with django_capture_on_commit_callbacks(
        execute=True
    ):  # the exchanges' relay, run by the worker in the demo
        assert construire_demo() is True
    assert construire_demo() is False
    tilleuls = OrganismeGestionnaire.objects.get(raison_sociale="Association Les Tilleuls")
    horizon = OrganismeGestionnaire.objects.get(raison_sociale="Fondation Horizon")
    with tenant_context(tilleuls.pk):
        assert Usager.objects.count() == 9
        assert all(u.sejours.exists() for u in Usager.objects.all())
        from admission.models import DemandeAdmission

        assert DemandeAdmission.objects.count() == 3
        assert Usager.objects.get(nom_naissance="Lefèvre").proches.count() == 2
        # relation usager: the daughter's account, one thread answered, one waiting in the EHPAD's inbox
        from relation.models import AccesPortail, Fil

        acces = AccesPortail.objects.get(usager__nom_naissance="Lefèvre")
        assert acces.statut == "actif" and acces.compte.email == "claire.dupont@proches.demo"
        assert sorted(Fil.objects.values_list("objet", "non_lus_equipe")) == [
            ("Lunettes de maman", 1),
            ("Visite de dimanche", 0),
        ]
        from relation.models import EvenementIndesirable, Reclamation

        assert Reclamation.objects.get().statut == "en_analyse"
        assert EvenementIndesirable.objects.get().statut == "actions"
        from relation.models import ReponseEnquete, ReunionCVS

        assert ReponseEnquete.objects.count() == 5
        assert sorted(ReunionCVS.objects.values_list("statut", flat=True)) == ["prevue", "tenue"]
        from accompagnement import selectors
        from accompagnement.models import EvaluationAggir, ProjetPersonnalise

        assert set(ProjetPersonnalise.objects.values_list("statut", flat=True)) == {
            "remplace",
            "en_oeuvre",
            "co_construction",
        }
        ehpad = Usager.objects.get(nom_naissance="Moreau").sejours.get().etablissement
        assert [p.usager.nom_naissance for p in selectors.suivi_des_bilans(ehpad)["en_retard"]] == ["Moreau"]
        assert EvaluationAggir.objects.count() == 15
        assert selectors.gmp(ehpad, [timezone.localdate()])[0]["gmp"] is not None
        # soins: allergies in the dossiers, alerts and transmissions for the relève, a plan for the day view
        from soins import selectors as soins_selectors
        from soins.models import Allergie, Constante, RealisationSoin, Transmission

        assert Allergie.objects.filter(usager__nom_naissance="Garnier", severite="vitale").exists()
        assert Constante.objects.filter(
            usager__nom_naissance="Lefèvre", type_constante="tension", alerte__startswith="Systolique 172"
        ).exists()
        assert Transmission.objects.count() == 20
        assert RealisationSoin.objects.filter(statut="pas_fait").exists()
        from habilitations.models import Professionnel

        infirmiere = Professionnel.objects.get(email="infirmiere@tilleuls.demo")
        unite = Usager.objects.get(nom_naissance="Lefèvre").sejours.get().unite
        liste = soins_selectors.residents(infirmiere, unite, timezone.localdate())
        assert liste and any(
            ligne.occurrences for ligne in soins_selectors.journee(unite, timezone.localdate(), liste)
        )
        # médicaments: 4 to 8 lines per resident, the past administered, the current slot left to do
        from medicaments import selectors as med_selectors
        from medicaments.models import Administration, ArticleStock, Pilulier, Prescription

        for nom in ("Lefèvre", "Moreau", "Garnier", "Chevalier", "Bonnet"):
            assert 4 <= Prescription.objects.filter(usager__nom_naissance=nom).count() <= 8, nom
        assert Administration.objects.filter(statut="refuse").exists()
        assert Administration.objects.filter(dose__isnull=True, statut="donne").exists()  # si besoin
        jour, creneau = med_selectors.creneau_de(timezone.now())
        tournee = med_selectors.tournee(infirmiere, unite, jour, "soir" if creneau == "nuit" else creneau)
        assert tournee and not any(
            d.administration for ligne in tournee for d in ligne.doses if d.dose.prevue_le > timezone.now()
        )
        assert Pilulier.objects.filter(verifie_par__isnull=True).count() == 1
        etat = med_selectors.etat_du_stock(ehpad.pk)
        assert len(etat) == ArticleStock.objects.count() == 4 and any(e.sous_le_seuil for e in etat)
        # exchanges: Yvonne Garnier's DLU really sent to the local DMP and to her doctor by MSSanté
        from interop.models import Envoi

        assert sorted(Envoi.objects.values_list("type_envoi", "statut")) == [
            ("dmp", "envoye"),
            ("mssante", "envoye"),
        ]
        assert len(serveur_dmp.documents) == 1 and len(serveur_smtp.messages) == 1
        from interop.services import opposition_dmp

        assert opposition_dmp(Usager.objects.get(nom_naissance="Bonnet")) is not None
        assert opposition_dmp(Usager.objects.get(nom_naissance="Garnier")) is None
    # the MSSanté inbox: the discharge letter that bin/run's IMAP server holds is proposed for Mme Garnier
    from interop.boite import relever
    from interop.demo_messagerie import compte_rendu_d_hospitalisation
    from interop.models import MessageRecu

    serveur_imap.a_la_demande = True
    serveur_imap.deposer(
        settings.DUI_MSS_EXPEDITEUR, compte_rendu_d_hospitalisation(settings.DUI_MSS_EXPEDITEUR)
    )
    assert relever(tilleuls.pk) == {"messages": 1, "deja_lus": 0, "erreurs": 0}
    with tenant_context(tilleuls.pk):
        message = MessageRecu.objects.get()
        assert message.usager_propose.nom_naissance == "Garnier" and message.code_type == "11490-0"
        assert (
            message.erreur == "" and [p["nom"] for p in message.pieces][0] == "lettre-de-sortie-garnier.pdf"
        )
    with auth_lookup():  # Jean Dubois works in both organismes: PSC offers the choice (habilitations.psc)
        from habilitations.models import Professionnel

        assert sorted(
            Professionnel.objects.filter(rpps="10101010101").values_list(
                "organisme__raison_sociale", flat=True
            )
        ) == ["Association Les Tilleuls", "Fondation Horizon"]
    with tenant_context(horizon.pk):
        assert Usager.objects.count() == 1
        assert not Prescription.objects.exists()
