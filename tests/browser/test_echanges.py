"""On a tablet: the nurse sends a DLU to the DMP with a masking choice and sees it accepted; a document of a
person whose identity is not qualified shows why it cannot go; a failed MSSanté exchange is retried from the
exchanges page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import se_connecter
from tests.interop.conftest import document_pret, personne

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_send_a_dlu_to_the_dmp_and_retry_a_failed_mail(live_server, og_a, page, serveur_dmp, serveur_smtp):
    helene = personne(og_a)
    document_pret(og_a, helene, titre="DLU de Mme Dupont")
    provisoire = personne(
        og_a,
        qualifiee=False,
        nom_naissance="Provisoire",
        premier_prenom="Paul",
        prenoms_naissance=["Paul"],
        sexe="M",
    )
    document_pret(og_a, provisoire, titre="DLU de M. Provisoire")

    se_connecter(page, live_server.url, og_a["infirmier"])
    page.goto(f"{live_server.url}/documents/dossier/{helene.public_id}/")
    page.get_by_test_id("document").filter(has_text="DLU de Mme Dupont").get_by_role(
        "link", name="Envoyer…"
    ).click()
    page.wait_for_url("**/echanges/document/*/")
    dmp = page.get_by_test_id("envoi-dmp")
    dmp.get_by_label("Masqué aux professionnels de santé").check()
    dmp.get_by_role("button", name="Envoyer au DMP").click()
    expect(page.locator("body")).to_contain_text("Envoi au DMP demandé")
    expect(page.get_by_test_id("envoi-dmp")).to_contain_text("Accepté par le DMP")
    assert len(serveur_dmp.documents) == 1
    page.screenshot(path="test-results/envoi-dmp.png", full_page=True)

    # MSSanté to a mailbox the server refuses: the exchange fails, the reason is shown, it can be cancelled.
    mss = page.get_by_test_id("envoi-mssante")
    mss.get_by_label("ou adresse MSSanté").fill("inconnu@medecin.mssante.fr")
    mss.get_by_role("button", name="Envoyer par MSSanté").click()
    expect(page.locator("body")).to_contain_text("Message sécurisé à inconnu@medecin.mssante.fr")
    page.get_by_role("link", name="Échanges", exact=True).first.click()
    page.wait_for_url("**/echanges/")
    expect(page.get_by_test_id("alerte-echecs")).to_contain_text("1 envoi en échec")
    ligne = page.get_by_test_id("envoi").filter(has_text="inconnu@medecin.mssante.fr")
    expect(ligne.get_by_test_id("erreur-envoi")).to_contain_text("Adresse refusée par la messagerie")
    ligne.get_by_role("button", name="Annuler").click()
    expect(page.locator("body")).to_contain_text("Envoi annulé.")
    expect(
        page.get_by_test_id("envoi")
        .filter(has_text="inconnu@medecin.mssante.fr")
        .get_by_test_id("statut-envoi")
    ).to_have_text("Annulé")

    # Identity not qualified: the page says why, no button.
    page.goto(f"{live_server.url}/documents/dossier/{provisoire.public_id}/")
    page.get_by_role("link", name="Envoyer…").click()
    expect(page.get_by_test_id("motif-dmp")).to_contain_text("n'est pas qualifiée")
    expect(page.get_by_role("button", name="Envoyer au DMP")).to_have_count(0)
    assert page.erreurs_console == []


def test_a_hospital_letter_received_by_mssante_is_filed_in_the_dossier(
    live_server, og_b, page, serveur_imap, settings
):
    """The nurse reads the EHPAD's MSSanté mailbox, opens the hospital's letter recognised by the INS of
    its XDM archive, checks the person and files it: the letter is in the dossier's documents."""
    from documents import services as documents_services
    from dui.tenancy import tenant_context
    from interop import boite
    from interop.demo_messagerie import MATRICULE_DEMO, compte_rendu_d_hospitalisation

    adresse = "secretariat@ehpad-b.mssante.fr"
    with tenant_context(og_b.organisme.pk):
        documents_services.do_installer_plan_type(og_b.admin)
        boite.do_configurer_boite(og_b.admin, og_b.ehpad, adresse=adresse)
    garnier = personne(
        og_b,
        nom_naissance="Garnier",
        premier_prenom="Yvonne",
        prenoms_naissance=["Yvonne"],
        matricule_ins=MATRICULE_DEMO,
    )
    serveur_imap.deposer(adresse, compte_rendu_d_hospitalisation(adresse))

    se_connecter(page, live_server.url, og_b["infirmier"])
    page.goto(f"{live_server.url}/echanges/")
    page.get_by_test_id("lien-messagerie").click()
    page.wait_for_url("**/echanges/messagerie/")
    page.get_by_role("button", name="Relever maintenant").click()
    expect(page.get_by_test_id("a-classer")).to_contain_text("1 message à classer")
    page.get_by_role("link", name="XDM/1.0/DDM+Lettre de liaison à la sortie GARNIER Yvonne").click()
    expect(page.get_by_test_id("ins")).to_contain_text(
        f"{MATRICULE_DEMO} (INS-NIR de test) — dossier de GARNIER"
    )
    classer = page.get_by_test_id("classer")
    expect(classer.get_by_label("Dossier de la personne")).to_have_value(str(garnier.public_id))
    expect(classer.get_by_label("Type de document").locator("option:checked")).to_contain_text(
        "Courrier médical"
    )
    page.screenshot(path="test-results/messagerie-a-classer.png", full_page=True)
    classer.get_by_role("button", name="Confirmer le classement").click()
    expect(page.locator("body")).to_contain_text("Message classé dans le dossier de GARNIER")
    expect(page.get_by_test_id("statut")).to_contain_text("Classé dans un dossier")
    page.goto(f"{live_server.url}/documents/dossier/{garnier.public_id}/")
    expect(page.get_by_test_id("document").first).to_contain_text(
        "Lettre de liaison à la sortie — médecine gériatrique"
    )
