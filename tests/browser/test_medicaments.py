"""On a tablet during the medication round: the nurse opens the round of her unit, gives a dose in one tap,
scans the wrong box (blocked, with a clear alert) then records a refusal, and gives another resident's dose
after scanning the right box."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from dui.tenancy import tenant_context
from medicaments.models import Administration, Prescription, Specialite
from medicaments.selectors import creneau_de
from tests.browser.conftest import se_connecter
from tests.medicaments.conftest import CIP_DOLIPRANE_1000, creer_resident, dose_due

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FUROSEMIDE_40 = "60192594"
ELIQUIS = "69340279"


def test_emar_round_with_a_refusal_and_a_barcode_mismatch(live_server, og_a, base_bdpm, page):
    odette = creer_resident(
        og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    jean = creer_resident(
        og_a, chambre="14", nom_naissance="Perrin", premier_prenom="Jean", prenoms_naissance=["Jean"]
    )
    doliprane = dose_due(og_a, odette, specialite_cis="60234100")
    furosemide = dose_due(og_a, odette, specialite_cis=FUROSEMIDE_40)
    eliquis = dose_due(og_a, jean, specialite_cis=ELIQUIS)
    cip_eliquis = Specialite.objects.get(cis=ELIQUIS).presentations.order_by("cip13").first().cip13
    jour, creneau = creneau_de(doliprane.prevue_le)

    se_connecter(page, live_server.url, og_a["infirmier"])
    page.get_by_role("link", name="Soins", exact=True).click()
    page.get_by_role("link", name="Tournée des médicaments").click()
    page.wait_for_url("**/tournee/")
    page.goto(f"{page.url}?jour={jour}&creneau={creneau}")
    expect(page.get_by_test_id("a-valider")).to_contain_text("3 doses à valider")

    odette_carte = page.get_by_test_id("resident").filter(has_text="Odette")
    ligne_doliprane = odette_carte.get_by_test_id("dose").filter(has_text="DOLIPRANE")
    # the button says to a screen reader which dose it validates (issue 23, item 9)
    expect(ligne_doliprane.get_by_role("button", name="Donné")).to_have_accessible_name(
        re.compile(r"^Donné : DOLIPRANE 1000 mg.*, dose de \d\d:\d\d, MARCHAND$")
    )
    ligne_doliprane.get_by_role("button", name="Donné").tap()
    expect(ligne_doliprane.get_by_test_id("etat")).to_contain_text("Donné")

    # the wrong box scanned (the keyboard-wedge scanner types the code and Enter): blocked
    ligne_furosemide = odette_carte.get_by_test_id("dose").filter(has_text="FUROSEMIDE")
    ligne_furosemide.get_by_label("Code de la boîte").fill(CIP_DOLIPRANE_1000)
    ligne_furosemide.get_by_label("Code de la boîte").press("Enter")
    expect(ligne_furosemide.get_by_test_id("erreur")).to_contain_text("Mauvais médicament")
    expect(ligne_furosemide.get_by_test_id("erreur")).to_contain_text("DOLIPRANE")
    with tenant_context(og_a.organisme.pk):
        assert not Administration.objects.filter(dose=furosemide).exists()
    # the resident refuses it: « Refusé » takes its reason (issue 23, item 4)
    ligne_furosemide.locator("summary", has_text="Refusé").tap()
    ligne_furosemide.get_by_label("Raison du refus (facultatif)").fill("Recrache le comprimé")
    ligne_furosemide.get_by_role("button", name="Noter « refusé »").tap()
    expect(ligne_furosemide.get_by_test_id("etat")).to_contain_text("Refusé (Recrache le comprimé)")

    # the right box for Jean: checked and given
    ligne_eliquis = page.get_by_test_id("resident").filter(has_text="Jean").get_by_test_id("dose")
    ligne_eliquis.get_by_label("Code de la boîte").fill(cip_eliquis)
    ligne_eliquis.get_by_label("Code de la boîte").press("Enter")
    expect(ligne_eliquis.get_by_test_id("etat")).to_contain_text("boîte vérifiée")
    expect(page.get_by_test_id("a-valider")).to_contain_text("0 dose à valider")  # counters follow
    # Doliprane was given to Odette by mistake: its author undoes it in one tap, then gives it (issue 23, item 3)
    ligne_doliprane.get_by_role("button", name=re.compile(r"^Annuler « donné » : DOLIPRANE")).tap()
    expect(ligne_doliprane.get_by_test_id("annulation")).to_contain_text("Validation annulée par")
    expect(page.get_by_test_id("a-valider")).to_contain_text("1 dose à valider")
    ligne_doliprane.get_by_role("button", name="Donné").tap()
    expect(ligne_doliprane.get_by_test_id("etat")).to_contain_text("Donné")
    page.screenshot(path="test-results/medicaments-tournee-tablette.png", full_page=True)
    assert page.erreurs_console == []

    with tenant_context(og_a.organisme.pk):
        resultats = {
            a.dose_id: (a.statut, a.motif, a.cip13_scanne, a.auteur_id) for a in Administration.objects.all()
        }
    infirmier = og_a["infirmier"].pk
    assert resultats == {
        doliprane.pk: ("donne", "", "", infirmier),
        furosemide.pk: ("refuse", "refus", "", infirmier),  # its reason in the precision
        eliquis.pk: ("donne", "", cip_eliquis, infirmier),
    }


def test_an_allergy_alert_after_a_prescription_is_where_the_eyes_are(live_server, og_a, base_bdpm, page):
    """Issue 23, item 1: on a 1024×768 tablet, the prescription hitting an allergy comes back with the alert in
    view and focused (the form is long: without it the alert was 1,660 px down), a summary at the top."""
    from soins.models import Allergie

    odette = creer_resident(
        og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    with tenant_context(og_a.organisme.pk):
        Allergie.objects.create(
            organisme=og_a.organisme,
            usager=odette,
            type_agent="substance",
            agent="Amoxicilline",
            reaction="Œdème de Quincke",
            severite="grave",
            saisie_par=og_a["medecin"],
        )
    page.set_viewport_size({"width": 1024, "height": 768})
    se_connecter(page, live_server.url, og_a["medecin"])
    page.goto(f"{live_server.url}/medicaments/dossier/{odette.public_id}/")
    page.locator("summary", has_text="Prescrire").click()
    page.get_by_label("Médicament", exact=True).fill("amoxicilline almus 1 g")
    page.get_by_test_id("resultats").select_option(index=0)
    # a powder for oral suspension: the unit follows the drug (issue 23, item 8)
    expect(page.get_by_label("Unité", exact=True)).to_have_value("ml")
    page.get_by_label("Dose", exact=True).fill("1")
    page.get_by_label("Matin (08 h)").check()
    page.get_by_role("button", name="Prescrire", exact=True).click()

    alertes = page.get_by_test_id("alertes")
    expect(alertes).to_be_focused()
    expect(alertes).to_be_in_viewport()
    expect(alertes).to_contain_text("Amoxicilline")
    resume = page.get_by_test_id("resume-erreurs")
    expect(resume).to_contain_text("Rien n'est enregistré : 1 point à revoir")
    page.screenshot(path="test-results/medicaments-alerte-allergie-tablette.png")
    with tenant_context(og_a.organisme.pk):
        assert not Prescription.objects.filter(usager=odette).exists()
    # the reason typed, the line is kept
    alertes.get_by_label("Motif pour maintenir").fill("Réintroduction validée par l'allergologue")
    page.get_by_role("button", name="Maintenir la prescription").click()
    expect(page.locator(".message.success")).to_contain_text("Prescription enregistrée")
    assert page.erreurs_console == []


def test_form_errors_are_summarised_at_the_top_and_focused(live_server, og_a, base_bdpm, page):
    odette = creer_resident(
        og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    page.set_viewport_size({"width": 1024, "height": 768})
    se_connecter(page, live_server.url, og_a["medecin"])
    page.goto(f"{live_server.url}/medicaments/dossier/{odette.public_id}/")
    page.locator("summary", has_text="Prescrire").click()
    page.get_by_label("Dose", exact=True).fill("abc")
    page.get_by_role("button", name="Prescrire", exact=True).click()
    resume = page.get_by_test_id("resume-erreurs")
    expect(resume).to_be_focused()
    expect(resume).to_be_in_viewport()
    expect(resume).to_contain_text("Médicament : Recherchez puis choisissez un médicament")
    expect(resume).to_contain_text("Dose :")
    # a link of the summary takes the user to the field
    resume.get_by_role("link", name=re.compile("^Dose :")).click()
    expect(page.get_by_label("Dose", exact=True)).to_be_focused()
    expect(page.get_by_label("Dose", exact=True)).to_be_in_viewport()
    assert page.erreurs_console == []


def test_a_hospitalised_residents_doses_show_as_absent(live_server, og_a, base_bdpm, page):
    """Issue 23, item 4, on a portrait tablet: Odette is in hospital — her dose is suspended, not due; Jean's is."""
    import datetime

    from django.utils import timezone

    from usagers.models import Absence, Sejour

    odette = creer_resident(
        og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    jean = creer_resident(
        og_a, chambre="14", nom_naissance="Perrin", premier_prenom="Jean", prenoms_naissance=["Jean"]
    )
    dose_odette = dose_due(og_a, odette)
    dose_due(og_a, jean, specialite_cis=FUROSEMIDE_40)
    with tenant_context(og_a.organisme.pk):
        Absence.objects.create(
            organisme=og_a.organisme,
            sejour=Sejour.objects.get(usager=odette),
            motif="hospitalisation",
            debut=timezone.localdate() - datetime.timedelta(days=1),
        )
    jour, creneau = creneau_de(dose_odette.prevue_le)
    page.set_viewport_size({"width": 820, "height": 1180})
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(
        f"{live_server.url}/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={jour}&creneau={creneau}"
    )
    odette_carte = page.get_by_test_id("resident").filter(has_text="Odette")
    expect(odette_carte.get_by_test_id("absence")).to_have_text("absent(e) — hospitalisation")
    expect(odette_carte.get_by_test_id("etat")).to_have_text("Suspendu — absent(e) : hospitalisation")
    expect(odette_carte.get_by_role("button", name="Donné")).to_be_hidden()  # behind « Revenu(e) »
    expect(page.get_by_test_id("a-valider")).to_contain_text("1 dose à valider")
    jean_carte = page.get_by_test_id("resident").filter(has_text="Jean")
    expect(jean_carte.get_by_role("button", name="Donné")).to_be_visible()
    page.screenshot(path="test-results/medicaments-tournee-absent.png", full_page=True)
    assert page.erreurs_console == []


def _donne_sans_reseau(live_server, og_a, page):
    """The nurse's round open, the Wi-Fi down, « Donné » tapped: the dose and its line, pending."""
    odette = creer_resident(
        og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    dose = dose_due(og_a, odette)
    jour, creneau = creneau_de(dose.prevue_le)
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(
        f"{live_server.url}/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={jour}&creneau={creneau}"
    )
    ligne = page.get_by_test_id("dose").filter(has_text="DOLIPRANE")
    page.context.set_offline(True)
    ligne.get_by_role("button", name="Donné").tap()
    expect(ligne.get_by_test_id("en-attente")).to_contain_text("En attente de réseau")
    return dose, ligne


def test_a_dose_given_while_offline_is_queued_then_recorded_once(live_server, og_a, base_bdpm, page):
    """Issue 23, item 2: « Donné » tapped with the Wi-Fi down is kept on the tablet, shown as pending, and
    recorded exactly once when the network returns."""
    dose, ligne = _donne_sans_reseau(live_server, og_a, page)
    expect(page.get_by_test_id("file-hors-ligne")).to_contain_text("1 action en attente d'envoi")
    expect(ligne.get_by_role("button", name="Donné")).to_be_disabled()  # not queued twice
    with tenant_context(og_a.organisme.pk):
        assert not Administration.objects.filter(dose=dose).exists()

    page.context.set_offline(False)
    expect(ligne.get_by_test_id("etat")).to_contain_text("Donné")
    expect(page.get_by_test_id("file-hors-ligne")).to_be_hidden()
    expect(page.get_by_test_id("a-valider")).to_contain_text("0 dose à valider")
    with tenant_context(og_a.organisme.pk):
        (administration,) = Administration.objects.filter(dose=dose)
    assert administration.statut == "donne" and administration.cle_idempotence
    # the page reloaded: nothing left to send
    page.reload()
    expect(page.get_by_test_id("file-hors-ligne")).to_be_hidden()
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.filter(dose=dose).count() == 1
    # what the browser and htmx log of the failed request while offline, and nothing else
    attendues = (
        "htmx:sendError",
        "htmx:afterRequest",
        "Failed to load resource: net::ERR_INTERNET_DISCONNECTED",
    )
    assert [e for e in page.erreurs_console if not e.startswith(attendues)] == []


def test_an_offline_action_refused_on_replay_stays_for_a_decision(live_server, og_a, base_bdpm, page):
    """Meanwhile the doctor gave the dose from another tablet: the replay is refused, and the nurse sees why
    until she dismisses it — the action is never silently dropped."""
    from medicaments import services

    dose, ligne = _donne_sans_reseau(live_server, og_a, page)
    with tenant_context(og_a.organisme.pk):
        services.do_administrer(og_a["medecin"], dose, "donne")
    page.context.set_offline(False)
    refus = page.get_by_test_id("action-refusee")
    expect(refus).to_contain_text("Non enregistré — Donné : DOLIPRANE")
    expect(refus).to_contain_text("Déjà noté « donné » par")
    expect(ligne.get_by_test_id("etat")).to_contain_text("Donné")  # the item shows what is recorded
    page.reload()
    expect(page.get_by_test_id("action-refusee")).to_be_visible()  # kept until a decision
    page.get_by_role("button", name="Vu, retirer de la liste").click()
    expect(page.get_by_test_id("file-hors-ligne")).to_be_hidden()
    with tenant_context(og_a.organisme.pk):
        (administration,) = Administration.objects.filter(dose=dose)
    assert administration.auteur_id == og_a["medecin"].pk


def test_the_round_stays_readable_offline_and_is_forgotten_at_the_login_page(
    live_server, og_a, base_bdpm, page
):
    """Issue 23, item 2: the round, once loaded, reloads without network (service worker); the login page
    empties what the tablet kept."""
    odette = creer_resident(
        og_a, nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    dose = dose_due(og_a, odette)
    jour, creneau = creneau_de(dose.prevue_le)  # the dose's slot: five minutes ago may be the previous one
    se_connecter(page, live_server.url, og_a["infirmier"])
    url = f"{live_server.url}/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={jour}&creneau={creneau}"
    page.goto(url)
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()  # now through the service worker, which keeps it
    expect(page.get_by_test_id("dose")).to_have_count(1)
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("hors-ligne")).to_contain_text("Hors ligne")
    expect(page.get_by_test_id("dose")).to_contain_text("DOLIPRANE")
    assert page.evaluate("caches.keys()") == ["dui-hors-ligne-v1"]
    page.context.set_offline(False)
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/connexion/**")
    page.wait_for_function("async () => (await caches.keys()).length === 0")
    assert page.evaluate("caches.keys()") == []


def test_la_releve_demande_l_effet_d_un_si_besoin(live_server, og_a, base_bdpm, page):
    """Issue 23, item 4: a "si besoin" dose given 70 minutes ago is late for its re-evaluation on the relève;
    the nurse records the relief and the pain score in place, keyboard only for the form."""
    import datetime

    from django.utils import timezone

    from medicaments import services
    from tests.medicaments.conftest import prescrire

    odette = creer_resident(
        og_a, chambre="12", nom_naissance="Marchand", premier_prenom="Odette", prenoms_naissance=["Odette"]
    )
    p = prescrire(
        og_a,
        odette,
        si_besoin=True,
        heures=[],
        indication="Douleur",
        max_par_24h=4,
        debut=timezone.now() - datetime.timedelta(hours=2),
    )
    with tenant_context(og_a.organisme.pk):
        services.do_donner_si_besoin(
            og_a["infirmier"],
            p,
            "Douleur du genou",
            maintenant=timezone.now() - datetime.timedelta(minutes=70),
        )
    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(f"{live_server.url}/soins/unite/{og_a.unite.public_id}/releve/")
    ligne = page.get_by_test_id("reevaluation")
    expect(ligne).to_contain_text("Réévaluation en retard")
    expect(ligne).to_contain_text("Douleur du genou")
    ligne.get_by_role("button", name=re.compile("^Réévaluer l'effet")).or_(
        ligne.locator("summary")
    ).first.click()
    ligne.screenshot(path="test-results/releve-reevaluation-formulaire.png")
    ligne.get_by_label("Soulagé(e)", exact=True).check()
    ligne.get_by_label("2", exact=True).check()
    ligne.get_by_label("Observation").fill("Se lève seule")
    ligne.get_by_label("Observation").press("Enter")
    expect(page.get_by_test_id("etat")).to_contain_text("Soulagé(e)")
    expect(page.get_by_test_id("etat")).to_contain_text("douleur 2/10 — Se lève seule")
    page.screenshot(path="test-results/releve-reevaluation.png", full_page=True)
    with tenant_context(og_a.organisme.pk):
        a = Administration.objects.get(prescription=p)
        assert (a.effet, a.douleur_apres, a.reevaluee_par_id) == ("soulage", 2, og_a["infirmier"].pk)
    assert page.erreurs_console == []
