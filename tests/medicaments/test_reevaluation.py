"""Issue 23, item 4: a "si besoin" dose prompts a re-evaluation of its effect (relief, pain 0-10) after
DUI_REEVALUATION_SI_BESOIN_MINUTES, shown on the unit's relève and day plan; recorded once, traced, by whoever
gives the doses; nothing of it reaches another organisme or a role that does not give doses."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dui.tenancy import tenant_context
from medicaments import selectors, services
from medicaments.models import Administration
from tests.medicaments.conftest import creer_resident, prescrire

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident(og_a, base_bdpm):
    return creer_resident(og_a, nom_naissance="Marchand", premier_prenom="Odette")


def _donner(og_a, resident, il_y_a_minutes: int = 0) -> Administration:
    p = prescrire(
        og_a,
        resident,
        si_besoin=True,
        heures=[],
        indication="Douleur",
        max_par_24h=4,
        debut=timezone.now() - datetime.timedelta(minutes=il_y_a_minutes + 5),
    )
    with tenant_context(og_a.organisme.pk):
        return services.do_donner_si_besoin(
            og_a["infirmier"],
            p,
            "Douleur du genou",
            maintenant=timezone.now() - datetime.timedelta(minutes=il_y_a_minutes),
        )


def test_une_dose_si_besoin_est_a_reevaluer_apres_le_delai(og_a, resident, settings):
    settings.DUI_REEVALUATION_SI_BESOIN_MINUTES = 45
    donnee = _donner(og_a, resident)
    assert donnee.reevaluer_le == donnee.administree_le + datetime.timedelta(minutes=45)
    with tenant_context(og_a.organisme.pk):
        [r] = selectors.reevaluations_de_l_unite(og_a["infirmier"], og_a.unite, timezone.localdate())
        assert r.administration == donnee and not r.en_retard
        plus_tard = timezone.now() + datetime.timedelta(minutes=46)  # maybe tomorrow: its own day's page
        [r] = selectors.reevaluations_de_l_unite(
            og_a["infirmier"], og_a.unite, timezone.localdate(plus_tard), maintenant=plus_tard
        )
        assert r.en_retard
        # another day's page shows none (a re-evaluation is done now)
        hier = timezone.localdate() - datetime.timedelta(days=1)
        assert selectors.reevaluations_de_l_unite(og_a["infirmier"], og_a.unite, hier) == []


def test_la_reevaluation_s_enregistre_une_fois_avec_son_historique(og_a, resident):
    donnee = _donner(og_a, resident, il_y_a_minutes=70)
    aide = og_a["aide_soignant"]
    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        with pytest.raises(ValidationError) as exc:
            services.do_reevaluer_si_besoin(infirmier, donnee, "")
        assert exc.value.message_dict == {"effet": ["Choisissez l'effet observé."]}
        with pytest.raises(ValidationError) as exc:
            services.do_reevaluer_si_besoin(infirmier, donnee, "soulage", 11)
        assert "de 0 (aucune) à 10" in str(exc.value)
        with pytest.raises(ValidationError) as exc:
            services.do_reevaluer_si_besoin(infirmier, donnee, "indesirable")
        assert "Décrivez l'effet indésirable" in str(exc.value)
        with pytest.raises(PermissionDenied):  # the aide-soignant(e) does not give doses
            services.do_reevaluer_si_besoin(aide, donnee, "soulage", 2)
        faite = services.do_reevaluer_si_besoin(infirmier, donnee, "partiel", 4, "  Mieux assise  ")
        assert (faite.effet, faite.douleur_apres, faite.commentaire_reevaluation) == (
            "partiel",
            4,
            "Mieux assise",
        )
        assert faite.reevaluee_par == infirmier and faite.reevaluee_le is not None
        with pytest.raises(ValidationError) as exc:
            services.do_reevaluer_si_besoin(infirmier, donnee, "soulage", 0)
        assert "Déjà réévaluée à" in str(exc.value)
        assert [h.effet for h in faite.history.order_by("history_date")] == ["", "partiel"]
        [r] = selectors.reevaluations_de_l_unite(infirmier, og_a.unite, timezone.localdate())
        assert r.administration.effet == "partiel" and not r.alerte


def test_une_dose_annulee_ne_se_reevalue_pas(og_a, resident):
    donnee = _donner(og_a, resident)
    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        services.do_corriger_administration(infirmier, donnee)
        with pytest.raises(ValidationError, match="annulée"):
            services.do_reevaluer_si_besoin(infirmier, donnee, "soulage")
        assert selectors.reevaluations_de_l_unite(infirmier, og_a.unite, timezone.localdate()) == []


def test_la_releve_et_le_plan_du_jour_montrent_la_reevaluation(og_a, og_b, resident, client_de):
    donnee = _donner(og_a, resident, il_y_a_minutes=90)
    infirmier = client_de(og_a["infirmier"])
    releve = f"/soins/unite/{og_a.unite.public_id}/releve/"
    journee = f"/soins/unite/{og_a.unite.public_id}/journee/"
    for url in (releve, journee):
        page = infirmier.get(url).content.decode()
        assert "« Si besoin » : effet à réévaluer" in page, url
        assert "Réévaluation en retard" in page and "Douleur du genou" in page
        assert f"/medicaments/administration/{donnee.public_id}/reevaluer/" in page
    # the aide-soignant(e) reads it, without the form; a director who does not see the doses does not
    page = client_de(og_a["aide_soignant"]).get(releve).content.decode()
    assert "Douleur du genou" in page and "/reevaluer/" not in page
    assert "Douleur du genou" not in client_de(og_a["agent_administratif"]).get(releve).content.decode()
    # recorded from the section (htmx): the row says what was seen
    r = infirmier.post(
        f"/medicaments/administration/{donnee.public_id}/reevaluer/",
        {"effet": "sans_effet", "douleur_apres": "7", "commentaire": "Toujours algique"},
        HTTP_HX_REQUEST="true",
    )
    texte = r.content.decode()
    assert (
        r.status_code == 200 and "Sans effet" in texte and "douleur 7/10" in texte and "etat alerte" in texte
    )
    # another organisme: 404, nothing written
    r = client_de(og_b["infirmier"]).post(
        f"/medicaments/administration/{donnee.public_id}/reevaluer/", {"effet": "soulage"}
    )
    assert r.status_code == 404


def test_erreur_de_saisie_rendue_en_francais_sans_rien_perdre(og_a, resident, client_de):
    donnee = _donner(og_a, resident)
    infirmier = client_de(og_a["infirmier"])
    url = f"/medicaments/administration/{donnee.public_id}/reevaluer/"
    r = infirmier.post(url, {"douleur_apres": "3", "commentaire": "Agitée"}, HTTP_HX_REQUEST="true")
    texte = r.content.decode()
    assert "Choisissez l&#x27;effet observé." in texte or "Choisissez l'effet observé." in texte
    assert 'value="3" checked' in texte and 'value="Agitée"' in texte and "<details open" in texte
    # without JavaScript: back to the page, the error in its messages
    r = infirmier.post(url, {"effet": "indesirable", "suivant": "/soins/"}, follow=True)
    assert r.redirect_chain[0][0] == "/soins/"
    assert "Décrivez l&#x27;effet indésirable" in r.content.decode()
    r = infirmier.post(url, {"effet": "soulage", "suivant": "https://ailleurs.example/"})
    assert r["Location"] == f"/medicaments/dossier/{resident.public_id}/"


def test_la_tournee_annonce_l_heure_de_reevaluation(og_a, resident, client_de, settings):
    settings.DUI_REEVALUATION_SI_BESOIN_MINUTES = 60
    p = prescrire(og_a, resident, si_besoin=True, heures=[], indication="Douleur", max_par_24h=2)
    r = client_de(og_a["infirmier"]).post(
        f"/medicaments/prescription/{p.public_id}/si-besoin/",
        {"indication": "Douleur"},
        HTTP_HX_REQUEST="true",
    )
    attendu = (timezone.localtime() + datetime.timedelta(minutes=60)).strftime("%H:%M")
    assert "effet à réévaluer à" in r.content.decode() and attendu[:2] in r.content.decode()


def test_la_section_ne_montre_que_l_unite_et_ne_lit_ses_residents_que_s_il_y_a_des_doses(og_a, resident):
    """Issue 16: the ids of the unit's doses of the window are read first (one query, without joins, when
    there are none); the rows and the unit's residents only when there are some, and only theirs are listed
    (not another unit's of the same ESMS)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UniteFactory

    infirmier = og_a["infirmier"]
    with tenant_context(og_a.organisme.pk):
        selectors.reevaluations_de_l_unite(infirmier, og_a.unite, timezone.localdate())  # rights now kept
        with CaptureQueriesContext(connection) as vide:
            assert selectors.reevaluations_de_l_unite(infirmier, og_a.unite, timezone.localdate()) == []
    with tenant_context(og_a.organisme.pk):
        autre_unite = UniteFactory(etablissement=og_a.ehpad, nom="Pavillon voisin")
    voisin = creer_resident(og_a, chambre="40", nom_naissance="Voisin", premier_prenom="Paul")
    with tenant_context(og_a.organisme.pk):
        from usagers.models import Sejour

        Sejour.objects.filter(usager=voisin).update(unite=autre_unite)
    _donner(og_a, voisin, il_y_a_minutes=30)
    donnee = _donner(og_a, resident, il_y_a_minutes=30)
    with tenant_context(og_a.organisme.pk), CaptureQueriesContext(connection) as avec:
        [r] = selectors.reevaluations_de_l_unite(infirmier, og_a.unite, timezone.localdate())
        [v] = selectors.reevaluations_de_l_unite(infirmier, autre_unite, timezone.localdate())
    assert r.administration == donnee and r.chambre == "12"
    assert v.administration.usager == voisin and v.chambre == "40"
    assert len(vide.captured_queries) == 1 and len(avec.captured_queries) == 6  # 3 per unit
    # the read that is empty most of the time joins nothing (planning five joins cost 4 ms at the bench)
    assert " JOIN " not in vide.captured_queries[0]["sql"]
