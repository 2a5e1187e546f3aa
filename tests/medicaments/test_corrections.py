"""Issue 23, item 3: a dose's validation is corrected, never deleted — by its author within the window in one
tap, afterwards by a nurse with a reason — and a dose given outside its time window asks for a confirmation
that is recorded. Item 4: « Refusé » carries its reason, and a refusal is recorded one way."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dui.tenancy import tenant_context
from medicaments import services
from medicaments.models import Administration, ArticleStock, MouvementStock, TypeMouvement
from pilotage import indicateurs
from tests.medicaments.conftest import DOLIPRANE_1000, creer_resident, dose_decalee, dose_due, specialite

pytestmark = pytest.mark.django_db

FUROSEMIDE_40, ELIQUIS, AMOXICILLINE_1G = "60192594", "69340279", "60151544"


@pytest.fixture
def resident(og_a, base_bdpm):
    return creer_resident(og_a, nom_naissance="Marchand", premier_prenom="Odette")


def _stock(og_a) -> ArticleStock:
    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        article = services.do_ajouter_article(
            infirmier,
            ArticleStock(
                etablissement=og_a.ehpad,
                specialite=specialite(DOLIPRANE_1000),
                sortie_par_administration=True,
            ),
        )
        services.do_mouvement(
            infirmier,
            article,
            TypeMouvement.RECEPTION,
            10,
            "L-1",
            timezone.localdate() + datetime.timedelta(days=90),
        )
    return article


def test_its_author_undoes_a_dose_given_by_mistake_and_the_stock_follows(og_a, resident):
    article = _stock(og_a)
    dose = dose_due(og_a, resident)
    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        donnee = services.do_administrer(infirmier, dose, "donne")
        assert services.quantite_en_stock(article) == 9
        annulee = services.do_corriger_administration(infirmier, donnee)  # one tap: no reason needed
        assert (annulee.pk, annulee.statut, annulee.ouverte) == (donnee.pk, "annule", True)
        assert annulee.precision == "Erreur de saisie, annulée par son auteur"
        assert services.quantite_en_stock(article) == 10
        retour = MouvementStock.objects.get(administration=donnee, type_mouvement=TypeMouvement.ANNULATION)
        assert (retour.quantite, retour.lot) == (1, "L-1")
        with pytest.raises(ValidationError, match="déjà annulée"):
            services.do_corriger_administration(infirmier, annulee)
        # the dose is to give again: the same row, each step in its history
        redonnee = services.do_administrer(og_a["medecin"], dose, "donne")
        assert redonnee.pk == donnee.pk and redonnee.auteur == og_a["medecin"]
        assert [(h.statut, h.auteur_id) for h in redonnee.history.order_by("history_date")] == [
            ("donne", infirmier.pk),
            ("annule", infirmier.pk),
            ("donne", og_a["medecin"].pk),
        ]
        assert services.quantite_en_stock(article) == 9
        assert MouvementStock.objects.filter(administration=donnee).count() == 3


def test_after_the_window_a_nurse_corrects_with_a_reason(og_a, resident, settings):
    dose = dose_due(og_a, resident)
    infirmier, medecin = og_a["infirmier"], og_a["medecin"]
    with tenant_context(og_a.organisme.pk):
        donnee = services.do_administrer(infirmier, dose, "refuse")
        plus_tard = donnee.administree_le + datetime.timedelta(
            minutes=settings.DUI_FENETRE_CORRECTION_MINUTES + 1
        )
        with pytest.raises(ValidationError) as exc:
            services.do_corriger_administration(infirmier, donnee, "  ", maintenant=plus_tard)
        assert "motif_correction" in exc.value.message_dict
        # a colleague within the window needs a reason too: only the author undoes in one tap
        with pytest.raises(ValidationError):
            services.do_corriger_administration(medecin, donnee, maintenant=donnee.administree_le)
        for qui in (og_a["aide_soignant"], og_a["pharmacien"], infirmier_de_la_mas(og_a)):
            with pytest.raises(PermissionDenied):
                services.do_corriger_administration(qui, donnee, "Erreur")
        annulee = services.do_corriger_administration(
            medecin, donnee, "Noté refusé pour la mauvaise résidente", maintenant=plus_tard
        )
        assert (annulee.statut, annulee.auteur, annulee.precision) == (
            "annule",
            medecin,
            "Noté refusé pour la mauvaise résidente",
        )
    autre = dose_due(og_a, creer_resident(og_a))
    with tenant_context(og_a.organisme.pk):
        donnee = services.do_administrer(infirmier, autre, "donne")
        with pytest.raises(ValidationError, match="trop ancienne"):
            services.do_corriger_administration(
                infirmier, donnee, "x", maintenant=donnee.administree_le + datetime.timedelta(hours=25)
            )


def infirmier_de_la_mas(og_a):
    """A nurse of the organisme habilitated in the MAS only."""
    from tests.factories import HabilitationFactory, ProfessionnelFactory

    with tenant_context(og_a.organisme.pk):
        pro = ProfessionnelFactory(organisme=og_a.organisme)
        HabilitationFactory(professionnel=pro, etablissement=og_a.mas, role="infirmier")
    return pro


def test_giving_a_dose_outside_its_window_asks_a_confirmation_that_is_recorded(og_a, resident, settings):
    settings.DUI_GARDES_HORAIRES = {"dose": {"avance": 60, "retard": 120}, "soin": {"avance": 60}}
    tot = dose_decalee(og_a, resident, 90)  # due in an hour and a half
    tard = dose_decalee(og_a, resident, -180, specialite_cis=FUROSEMIDE_40)  # due three hours ago
    a_l_heure = dose_decalee(og_a, resident, -30, specialite_cis=ELIQUIS)
    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(
            ValidationError, match=r"prévue à .* soit 1 h (29|30) d'avance\. Confirmez"
        ) as exc:
            services.do_administrer(infirmier, tot, "donne")
        assert exc.value.code == "hors_horaire"
        with pytest.raises(ValidationError, match=r"soit (3 h|3 h 01) de retard"):
            services.do_administrer(infirmier, tard, "donne")
        assert not Administration.objects.filter(usager=resident).exists()
        # a refusal or a dose not given is not a dose given early: no question
        assert services.do_administrer(infirmier, tard, "refuse").ecart_confirme is None
        confirmee = services.do_administrer(infirmier, tot, "donne", confirme=True)
        assert confirmee.statut == "donne" and -91 <= confirmee.ecart_confirme <= -89
        assert services.do_administrer(infirmier, a_l_heure, "donne").ecart_confirme is None
    # configurable: without a guard on that side, no question
    settings.DUI_GARDES_HORAIRES = {"dose": {"avance": None, "retard": None}}
    with tenant_context(og_a.organisme.pk):
        tot2 = dose_decalee(og_a, resident, 100, specialite_cis=AMOXICILLINE_1G, unite="sachet")
        assert services.do_administrer(infirmier, tot2, "donne").ecart_confirme is None


def test_a_refusal_carries_its_reason_and_is_recorded_one_way(og_a, resident):
    premiere, seconde = dose_due(og_a, resident), dose_due(og_a, resident, specialite_cis=FUROSEMIDE_40)
    with tenant_context(og_a.organisme.pk):
        a = services.do_administrer(og_a["infirmier"], premiere, "refuse", precision="Recrache le comprimé")
        assert (a.statut, a.motif, a.precision) == ("refuse", "refus", "Recrache le comprimé")
        # « non donné, motif refus » is a refusal
        b = services.do_administrer(og_a["infirmier"], seconde, "non_donne", "refus", "Dort")
        assert (b.statut, b.motif, b.precision) == ("refuse", "refus", "Dort")


def test_undone_validations_are_not_counted_by_the_director(og_a, resident):
    dose, autre = dose_due(og_a, resident), dose_due(og_a, resident, specialite_cis=FUROSEMIDE_40)
    with tenant_context(og_a.organisme.pk):
        services.do_corriger_administration(
            og_a["infirmier"], services.do_administrer(og_a["infirmier"], dose, "refuse")
        )
        services.do_administrer(og_a["infirmier"], autre, "refuse")
        jour = timezone.localdate()
        suivi = indicateurs.suivi(og_a.organisme.pk, [og_a.ehpad.pk], jour, jour)[og_a.ehpad.pk]
    assert (suivi["administrations"], suivi["refus"]) == (1, 1)


# --- Request level ---------------------------------------------------------------------------------------------


def test_round_confirmation_refusal_reason_and_undo_over_htmx(og_a, og_b, resident, client_de, settings):
    settings.DUI_GARDES_HORAIRES = {"dose": {"avance": 60, "retard": 120}}
    tot = dose_decalee(og_a, resident, 90)
    due = dose_due(og_a, resident, specialite_cis=FUROSEMIDE_40)
    client = client_de(og_a["infirmier"])
    url = f"/medicaments/dose/{tot.public_id}/administrer/"
    r = client.post(url, {"statut": "donne", "code": ""}, HTTP_HX_REQUEST="true")
    corps = r.content.decode()
    assert r.status_code == 200 and "HX-Trigger" not in r
    assert "d&#x27;avance. Confirmez" in corps and 'name="confirmer_horaire" value="1"' in corps
    assert 'name="statut" value="donne"' in corps and "Confirmer « donné » maintenant" in corps
    with tenant_context(og_a.organisme.pk):
        assert not Administration.objects.filter(dose=tot).exists()
    r = client.post(url, {"statut": "donne", "code": "", "confirmer_horaire": "1"}, HTTP_HX_REQUEST="true")
    assert r["HX-Trigger"] == "dose-validee" and "horaire confirmé" in r.content.decode()
    # without JavaScript: a page that asks the same question
    sans_js = client_de(og_a["medecin"]).post(
        f"/medicaments/dose/{dose_decalee(og_a, resident, 95, specialite_cis=ELIQUIS).public_id}/administrer/",
        {"statut": "donne"},
    )
    assert sans_js.status_code == 200 and "<h1>Confirmer l'horaire</h1>" in sans_js.content.decode()

    # a refusal with its reason, then undone by its author in one tap
    r = client.post(
        f"/medicaments/dose/{due.public_id}/administrer/",
        {"statut": "refuse", "precision_refus": "Dort profondément", "precision": ""},
        HTTP_HX_REQUEST="true",
    )
    corps = r.content.decode()
    assert "Refusé (Dort profondément)" in corps and "Annuler « refusé »" in corps
    with tenant_context(og_a.organisme.pk):
        administration = Administration.objects.get(dose=due)
    url_correction = f"/medicaments/administration/{administration.public_id}/corriger/"
    # nobody outside the team, nor the other organisme, reaches it
    for qui in (og_b["infirmier"], og_a["educateur"], og_a["aide_soignant"]):
        assert client_de(qui).post(url_correction, HTTP_HX_REQUEST="true").status_code == 404, qui
    r = client.post(url_correction, HTTP_HX_REQUEST="true")
    corps = r.content.decode()
    assert r.status_code == 200 and "Validation annulée par" in corps and 'value="donne"' in corps
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.get(dose=due).statut == "annule"
    # the round counts it as to do again
    from medicaments.selectors import creneau_de

    jour, creneau = creneau_de(due.prevue_le)
    page = client.get(f"/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={jour}&creneau={creneau}")
    assert "Validation annulée par" in page.content.decode()


def test_an_action_replayed_with_its_key_is_recorded_once(og_a, resident, client_de):
    """Issue 23, item 2: the device sends the same « Donné » again (its answer was lost): success, one row; a
    colleague's validation on that dose is still refused, and the device is told so (X-DUI-Resultat)."""
    dose = dose_due(og_a, resident)
    client = client_de(og_a["infirmier"])
    url = f"/medicaments/dose/{dose.public_id}/administrer/"
    envoi = {"statut": "donne", "cle_idempotence": "3f1c2a9e-7d1b-4a55-9c3e-0b7e5d2f8a11"}
    premiere = client.post(url, envoi, HTTP_HX_REQUEST="true")
    rejouee = client.post(url, envoi, HTTP_HX_REQUEST="true")
    assert premiere["X-DUI-Resultat"] == rejouee["X-DUI-Resultat"] == "enregistre"
    assert "Déjà noté" not in rejouee.content.decode() and "Donné" in rejouee.content.decode()
    autre = client_de(og_a["medecin"]).post(
        url, {**envoi, "cle_idempotence": "autre-appareil"}, HTTP_HX_REQUEST="true"
    )
    assert autre["X-DUI-Resultat"] == "refuse" and "Déjà noté « donné »" in autre.content.decode()
    with tenant_context(og_a.organisme.pk):
        (administration,) = Administration.objects.filter(dose=dose)
        assert administration.cle_idempotence == envoi["cle_idempotence"]
        assert administration.history.count() == 1


def test_une_prise_si_besoin_notee_par_erreur_s_annule_depuis_la_tournee(og_a, resident, client_de):
    """Issue 23, item 3: « Noter donné » tapped by mistake on a "si besoin" line is undone in one tap by its
    author; another nurse sees the last prise with « Corriger » (a reason)."""
    from tests.medicaments.conftest import prescrire

    p = prescrire(og_a, resident, si_besoin=True, heures=[], indication="Douleur", max_par_24h=2)
    infirmier = client_de(og_a["infirmier"])
    url = f"/medicaments/prescription/{p.public_id}/si-besoin/"
    r = infirmier.post(url, {"indication": "Douleur"}, HTTP_HX_REQUEST="true")
    texte = r.content.decode()
    assert "1 / 2 sur 24 h" in texte and "Annuler" in texte
    with tenant_context(og_a.organisme.pk):
        prise = Administration.objects.get(prescription=p)
    assert f"/medicaments/administration/{prise.public_id}/corriger/" in texte
    # another professional who gives the doses (the doctor): the last prise, corrected with a reason only
    tournee = (
        client_de(og_a["medecin"]).get(f"/medicaments/unite/{og_a.unite.public_id}/tournee/").content.decode()
    )
    assert "Dernière prise à" in tournee and "Motif de la correction" in tournee
    # its author undoes it in one tap: the line says so, the count goes back
    r = infirmier.post(f"/medicaments/administration/{prise.public_id}/corriger/", HTTP_HX_REQUEST="true")
    texte = r.content.decode()
    assert r.status_code == 200 and "Prise annulée (correction)" in texte and "0 / 2 sur 24 h" in texte
    assert r["HX-Trigger"] == "dose-validee"
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.get(pk=prise.pk).statut == "annule"
