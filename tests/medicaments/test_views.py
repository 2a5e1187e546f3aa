import datetime
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from dui.tenancy import tenant_context
from medicaments import services
from medicaments.models import (
    Administration,
    ArticleStock,
    DosePlanifiee,
    MouvementStock,
    Pilulier,
    Prescription,
    Specialite,
)
from medicaments.selectors import creneau_de
from soins.models import Allergie
from tests.medicaments.conftest import CIP_DOLIPRANE_1000, DOLIPRANE_1000, creer_resident, dose_due, prescrire
from tests.utils import nombre_de_requetes

FUROSEMIDE_40 = "60192594"
AMOXICILLINE_1G = "60151544"


@pytest.fixture
def resident(og_a, base_bdpm):
    return creer_resident(og_a, nom_naissance="Marchand", premier_prenom="Odette")


def _prescription_post(tenant, **champs):
    valeurs = {
        "formulaire": "prescrire",
        "etablissement": tenant.ehpad.public_id,
        "medicament": f"S:{DOLIPRANE_1000}",
        "dose": "1",
        "unite": "comprime",
        "voie": "orale",
        "moments": ["matin", "soir"],
        "recurrence": "quotidien",
        "intervalle": "1",
        "date_debut": timezone.localdate().isoformat(),
    }
    valeurs.update(champs)
    return valeurs


# --- Dossier tab: prescribing ------------------------------------------------------------------------------


def test_physician_prescribes_from_the_tab_and_the_plan_is_generated(og_a, resident, client_de):
    client = client_de(og_a["medecin"])
    url = f"/medicaments/dossier/{resident.public_id}/"
    r = client.get(url)
    assert r.status_code == 200 and "Prescrire" in r.content.decode()
    r = client.post(url, _prescription_post(og_a, consignes=["ne_pas_ecraser"], duree_jours="10"))
    assert r.status_code == 302, re.findall(r"(?:erreur|alerte)[^<]*<[^<]*<[^<]*", r.content.decode())
    with tenant_context(og_a.organisme.pk):
        p = Prescription.objects.get(usager=resident)
        assert p.heures == [datetime.time(8), datetime.time(18)] and p.consignes == ["ne_pas_ecraser"]
        assert timezone.localtime(p.fin).date() == timezone.localdate() + datetime.timedelta(days=10)
        assert DosePlanifiee.objects.filter(prescription=p).exists()
    page = client.get(url).content.decode()
    assert "DOLIPRANE 1000 mg, comprimé" in page and "Ne pas écraser" in page


def test_bad_input_gets_french_errors_and_loses_nothing(og_a, resident, client_de):
    client = client_de(og_a["medecin"])
    url = f"/medicaments/dossier/{resident.public_id}/"
    r = client.post(
        url, _prescription_post(og_a, dose="abc", moments=[], autres_heures="25h", commentaire="Le matin")
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert "Saisissez un nombre" in page and "Le matin" in page and "DOLIPRANE 1000 mg, comprimé" in page
    r = client.post(url, _prescription_post(og_a, medicament="S:00000000"))
    assert "Médicament introuvable" in r.content.decode()
    r = client.post(url, _prescription_post(og_a, moments=[]))
    assert "au moins un moment" in r.content.decode()
    r = client.post(url, _prescription_post(og_a, si_besoin="on", moments=[]))
    page = r.content.decode()
    assert "indication" in page and "nombre maximum de prises" in page
    with tenant_context(og_a.organisme.pk):
        assert not Prescription.objects.exists()


def test_alerts_must_each_be_acknowledged_with_a_reason(og_a, resident, client_de):
    with tenant_context(og_a.organisme.pk):
        allergie = Allergie.objects.create(
            organisme=og_a.organisme,
            usager=resident,
            type_agent="substance",
            agent="Amoxicilline",
            reaction="Œdème",
            severite="grave",
            saisie_par=og_a["medecin"],
        )
    client = client_de(og_a["medecin"])
    url = f"/medicaments/dossier/{resident.public_id}/"
    donnees = _prescription_post(og_a, medicament=f"S:{AMOXICILLINE_1G}", commentaire="Pendant 7 jours")
    r = client.post(url, donnees)
    page = r.content.decode()
    assert r.status_code == 200 and 'data-testid="alerte"' in page and "Amoxicilline" in page
    assert "Pendant 7 jours" in page and "AMOXICILLINE ALMUS 1 g" in page  # nothing lost
    r = client.post(url, {**donnees, f"acquit-allergie:{allergie.pk}": "  "})
    assert 'data-testid="alerte"' in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert not Prescription.objects.exists()
    r = client.post(
        url, {**donnees, f"acquit-allergie:{allergie.pk}": "Réintroduction validée par l'allergologue"}
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        assert Prescription.objects.get().alertes.get().motif == "Réintroduction validée par l'allergologue"


def test_stop_and_modify_from_the_tab(og_a, resident, client_de):
    p = prescrire(og_a, resident)
    client = client_de(og_a["medecin"])
    url = f"/medicaments/dossier/{resident.public_id}/"
    assert client.post(url, {"formulaire": "arreter", "objet": p.public_id, "motif": ""}).status_code == 200
    r = client.get(f"/medicaments/prescription/{p.public_id}/modifier/")
    assert r.status_code == 200 and 'value="1"' in r.content.decode()
    donnees = _prescription_post(og_a, dose="0,5", moments=["midi"])
    donnees.pop("formulaire")
    r = client.post(f"/medicaments/prescription/{p.public_id}/modifier/", donnees)
    assert "motif de la modification" in r.content.decode()
    r = client.post(
        f"/medicaments/prescription/{p.public_id}/modifier/",
        {**donnees, "motif_modification": "Douleur moindre"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(og_a.organisme.pk):
        nouvelle = Prescription.objects.get(remplace=p)
        assert nouvelle.dose == Decimal("0.5") and nouvelle.heures == [datetime.time(12)]
    r = client.post(url, {"formulaire": "arreter", "objet": nouvelle.public_id, "motif": "Fin"})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        assert not Prescription.objects.filter(arrete_le__isnull=True).exists()


def test_who_sees_and_who_prescribes(og_a, og_b, resident, client_de):
    p = prescrire(og_a, resident)
    url = f"/medicaments/dossier/{resident.public_id}/"
    # the nurse and the aide-soignant read the lines, without the prescription form; their POST is refused
    for role in ("infirmier", "aide_soignant", "pharmacien"):
        client = client_de(og_a[role])
        r = client.get(url)
        assert (
            r.status_code == 200
            and "DOLIPRANE" in r.content.decode()
            and "Prescrire" not in r.content.decode()
        )
        assert client.post(url, _prescription_post(og_a)).status_code == 404
        assert client.get(f"/medicaments/prescription/{p.public_id}/modifier/").status_code == 404
    for pro in (og_a["educateur"], og_a["agent_administratif"], og_b["medecin"]):
        assert client_de(pro).get(url).status_code == 404
        assert client_de(pro).get(f"/medicaments/prescription/{p.public_id}/modifier/").status_code == 404
        assert (
            client_de(pro)
            .post(url, {"formulaire": "arreter", "objet": p.public_id, "motif": "x"})
            .status_code
            == 404
        )
    with tenant_context(og_a.organisme.pk):
        assert Prescription.objects.get().arrete_le is None
    # the tab is in the dossier's tabs for those who may read it only
    assert (
        "/medicaments/dossier/"
        in client_de(og_a["infirmier"]).get(f"/usagers/{resident.public_id}/").content.decode()
    )
    assert (
        "/medicaments/dossier/"
        not in client_de(og_a["educateur"]).get(f"/usagers/{resident.public_id}/").content.decode()
    )


def test_ordonnance_requested_from_the_tab(
    og_a, og_b, resident, client_de, django_capture_on_commit_callbacks
):
    from documents.models import Document

    prescrire(og_a, resident)
    url = f"/medicaments/dossier/{resident.public_id}/"
    assert (
        client_de(og_a["infirmier"])
        .post(url, {"formulaire": "ordonnance", "etablissement": og_a.ehpad.public_id})
        .status_code
        == 404
    )
    with django_capture_on_commit_callbacks(execute=True):
        r = client_de(og_a["medecin"]).post(
            url, {"formulaire": "ordonnance", "etablissement": og_a.ehpad.public_id}
        )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        document = Document.objects.get(type_document="ordonnance")
    assert document.statut == "disponible", document.erreur
    assert client_de(og_a["medecin"]).get(f"/documents/{document.public_id}/").status_code == 200
    assert client_de(og_b["medecin"]).get(f"/documents/{document.public_id}/").status_code == 404


def test_drug_search_by_name_substance_and_cip13(og_a, og_b, resident, client_de):
    client = client_de(og_a["medecin"])
    page = client.get("/medicaments/recherche/", {"q": "doliprane 1000"}).content.decode()
    assert f"S:{DOLIPRANE_1000}" in page
    page = client.get("/medicaments/recherche/", {"q": "paracétamol"}).content.decode()
    assert "PARACÉTAMOL (DCI)" in page
    page = client.get("/medicaments/recherche/", {"q": CIP_DOLIPRANE_1000}).content.decode()
    assert "DOLIPRANE 1000 mg, comprimé" in page
    assert "Aucun médicament" in client.get("/medicaments/recherche/", {"q": "zzzz"}).content.decode()
    # reference data only, but not for a role without the médicaments habilitation
    assert client_de(og_a["educateur"]).get("/medicaments/recherche/", {"q": "doli"}).status_code == 404


# --- eMAR round --------------------------------------------------------------------------------------------------


def _url_tournee(tenant, dose):
    jour, creneau = creneau_de(dose.prevue_le)
    return f"/medicaments/unite/{tenant.unite.public_id}/tournee/?jour={jour}&creneau={creneau}"


def test_round_lists_the_doses_and_a_tap_validates_one(og_a, resident, client_de):
    dose = dose_due(og_a, resident)
    client = client_de(og_a["infirmier"])
    page = client.get(_url_tournee(og_a, dose)).content.decode()
    assert "MARCHAND" in page and "DOLIPRANE 1000 mg, comprimé" in page and "Donné" in page
    assert 'aria-label="Donné : DOLIPRANE 1000 mg' in page  # screen readers know which dose
    r = client.post(
        f"/medicaments/dose/{dose.public_id}/administrer/", {"statut": "donne"}, HTTP_HX_REQUEST="true"
    )
    assert r.status_code == 200 and r["HX-Trigger"] == "dose-validee" and "Donné" in r.content.decode()
    r = client_de(og_a["medecin"]).post(
        f"/medicaments/dose/{dose.public_id}/administrer/", {"statut": "refuse"}, HTTP_HX_REQUEST="true"
    )
    assert "Déjà noté « donné » par" in r.content.decode() and "HX-Trigger" not in r
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.get(dose=dose).statut == "donne"


def test_round_barcode_mismatch_blocks_with_a_clear_message(og_a, resident, client_de):
    dose = dose_due(og_a, resident)
    client = client_de(og_a["infirmier"])
    furosemide = Specialite.objects.get(cis=FUROSEMIDE_40).presentations.first().cip13
    r = client.post(
        f"/medicaments/dose/{dose.public_id}/administrer/",
        {"statut": "donne", "code": furosemide},
        HTTP_HX_REQUEST="true",
    )
    assert "Mauvais médicament" in r.content.decode() and "FUROSEMIDE" in r.content.decode()
    r = client.post(
        f"/medicaments/dose/{dose.public_id}/administrer/",
        {"statut": "donne", "code": "123"},
        HTTP_HX_REQUEST="true",
    )
    assert "Code illisible" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert not Administration.objects.filter(dose=dose).exists()
    r = client.post(
        f"/medicaments/dose/{dose.public_id}/administrer/",
        {"statut": "donne", "code": CIP_DOLIPRANE_1000},
        HTTP_HX_REQUEST="true",
    )
    assert "boîte vérifiée" in r.content.decode()


def test_round_without_htmx_redirects_with_a_message(og_a, resident, client_de):
    dose = dose_due(og_a, resident)
    client = client_de(og_a["infirmier"])
    r = client.post(f"/medicaments/dose/{dose.public_id}/administrer/", {"statut": "non_donne"})
    assert r.status_code == 302 and "/tournee/" in r["Location"]
    assert "Indiquez pourquoi" in client.get(r["Location"]).content.decode()
    r = client.post(
        f"/medicaments/dose/{dose.public_id}/administrer/",
        {"statut": "non_donne", "motif": "endormi"},
        follow=True,
    )
    assert "Non donné — Personne endormie" in r.content.decode()


def test_si_besoin_from_the_round(og_a, resident, client_de):
    p = prescrire(og_a, resident, si_besoin=True, heures=[], indication="Douleur", max_par_24h=1)
    client = client_de(og_a["infirmier"])
    page = client.get(f"/medicaments/unite/{og_a.unite.public_id}/tournee/").content.decode()
    assert "si besoin" in page and "0 / 1 sur 24 h" in page
    url = f"/medicaments/prescription/{p.public_id}/si-besoin/"
    r = client.post(url, {"indication": ""}, HTTP_HX_REQUEST="true")
    assert "Indiquez pourquoi" in r.content.decode()
    r = client.post(url, {"indication": "Douleur du genou"}, HTTP_HX_REQUEST="true")
    assert "1 / 1 sur 24 h" in r.content.decode() and "Maximum atteint" in r.content.decode()
    r = client.post(url, {"indication": "Douleur"}, HTTP_HX_REQUEST="true")
    assert "Maximum atteint : 1 prise" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert Administration.objects.filter(prescription=p).count() == 1


def test_round_access(og_a, og_b, resident, client_de):
    dose = dose_due(og_a, resident)
    url = _url_tournee(og_a, dose)
    page = client_de(og_a["aide_soignant"]).get(url).content.decode()  # reads, cannot validate
    assert "DOLIPRANE" in page and 'value="donne"' not in page
    assert (
        client_de(og_a["aide_soignant"])
        .post(f"/medicaments/dose/{dose.public_id}/administrer/", {"statut": "donne"})
        .status_code
        == 404
    )
    for pro in (og_a["educateur"], og_b["infirmier"]):
        assert client_de(pro).get(url).status_code == 404
        assert (
            client_de(pro)
            .post(f"/medicaments/dose/{dose.public_id}/administrer/", {"statut": "donne"})
            .status_code
            == 404
        )
    page = (
        client_de(og_b["infirmier"])
        .get(f"/medicaments/unite/{og_b.unite.public_id}/tournee/")
        .content.decode()
    )
    assert "MARCHAND" not in page


def _historique(tenant, usagers, jours):
    """``jours`` days of given doses for these people (bulk, as the bench does)."""
    with tenant_context(tenant.organisme.pk):
        for usager in usagers:
            for cis in (DOLIPRANE_1000, FUROSEMIDE_40):
                deja = {f"doublon:{x.pk}": "historique" for x in Prescription.objects.filter(usager=usager)}
                p = prescrire(
                    tenant,
                    usager,
                    specialite_cis=cis,
                    heures=[datetime.time(8), datetime.time(20)],
                    acquittements=deja,
                )
                debut = timezone.now() - datetime.timedelta(days=jours)
                Prescription.objects.filter(pk=p.pk).update(debut=debut)
                p.refresh_from_db()
                services.generer_plan(p, maintenant=debut)
                Administration.objects.bulk_create(
                    [
                        Administration(
                            organisme=tenant.organisme,
                            prescription=p,
                            dose=d,
                            usager=usager,
                            etablissement=tenant.ehpad,
                            statut="donne",
                            quantite=1,
                            auteur=tenant["infirmier"],
                            administree_le=d.prevue_le,
                        )
                        for d in DosePlanifiee.objects.filter(prescription=p, prevue_le__lt=timezone.now())
                    ]
                )


def test_round_query_count_is_pinned_and_independent_of_history_and_residents(og_a, base_bdpm, client_de):
    premiers = [creer_resident(og_a, chambre=str(i)) for i in range(2)]
    _historique(og_a, premiers, 2)
    client = client_de(og_a["infirmier"])
    url = f"/medicaments/unite/{og_a.unite.public_id}/tournee/?jour={timezone.localdate()}&creneau=matin"
    client.get(url)
    avant = nombre_de_requetes(client, url)
    autres = [creer_resident(og_a, chambre=str(i)) for i in range(10, 16)]
    _historique(og_a, premiers + autres, 20)
    with tenant_context(og_a.organisme.pk):
        Allergie.objects.create(
            organisme=og_a.organisme,
            usager=autres[0],
            type_agent="substance",
            agent="Iode",
            reaction="Urticaire",
            severite="moderee",
            saisie_par=og_a["medecin"],
        )
        prescrire(
            og_a,
            autres[1],
            si_besoin=True,
            heures=[],
            indication="Douleur",
            max_par_24h=1,
            acquittements={f"doublon:{p.pk}": "ok" for p in Prescription.objects.filter(usager=autres[1])},
        )
    apres = nombre_de_requetes(client, url)
    # session, habilitations and journal (shared by every page, savepoints included) + residents, doses,
    # "si besoin" lines with their 24 h count, allergies, swallowing needs (issue 23: texture and liquids)
    assert avant == apres == 15  # issue 16: 21 before


def test_la_carte_du_resident_montre_sa_photo_et_sa_deglutition(og_a, resident, client_de):
    """Issue 23, item 4: the round identifies the person by their photo and says what their swallowing needs
    (a crushed tablet, thickened water) before the dose."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from soins.models import DossierSoins

    dose = dose_due(og_a, resident)
    url = _url_tournee(og_a, dose)
    client = client_de(og_a["infirmier"])
    page = client.get(url).content.decode()
    assert 'data-testid="photo"' not in page and 'data-testid="deglutition"' not in page
    tampon = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 120, 80)).save(tampon, "JPEG")
    with tenant_context(og_a.organisme.pk):
        resident.photo.save("photo.jpg", ContentFile(tampon.getvalue()), save=True)
        DossierSoins.objects.update_or_create(
            usager=resident,
            defaults={"organisme": og_a.organisme, "texture": "mixee", "liquides": "gelifies"},
        )
    page = client.get(url).content.decode()
    assert f'src="/usagers/{resident.public_id}/photo/"' in page
    assert 'alt="Photo de MARCHAND Odette"' in page
    assert "Texture mixée lisse · Eau gélifiée" in page


# --- Piluliers ------------------------------------------------------------------------------------------------------


def test_pilulier_pages_prepare_and_double_check(og_a, og_b, resident, client_de):
    prescrire(og_a, resident, heures=[datetime.time(8), datetime.time(21)])
    semaine = services.lundi(timezone.localdate()) + datetime.timedelta(days=7)
    liste = f"/medicaments/unite/{og_a.unite.public_id}/piluliers/?semaine={semaine}"
    page = client_de(og_a["infirmier"]).get(liste).content.decode()
    assert "MARCHAND" in page and "à préparer" in page
    fiche = f"/medicaments/dossier/{resident.public_id}/pilulier/?semaine={semaine}&etablissement={og_a.ehpad.public_id}"
    page = client_de(og_a["infirmier"]).get(fiche).content.decode()
    assert page.count("DOLIPRANE 1000 mg") == 14
    assert client_de(og_a["infirmier"]).post(fiche, {"action": "preparer"}).status_code == 302
    r = client_de(og_a["infirmier"]).post(fiche, {"action": "verifier"}, follow=True)
    assert "autre professionnel que celui qui a préparé" in r.content.decode()
    client_de(og_a["pharmacien"]).post(fiche, {"action": "verifier"})
    with tenant_context(og_a.organisme.pk):
        pilulier = Pilulier.objects.get()
        assert (pilulier.prepare_par, pilulier.verifie_par) == (og_a["infirmier"], og_a["pharmacien"])
    assert "contrôlé par" in client_de(og_a["infirmier"]).get(liste).content.decode()
    assert client_de(og_a["aide_soignant"]).post(fiche, {"action": "verifier"}).status_code == 404
    for pro in (og_b["infirmier"], og_a["educateur"]):
        assert client_de(pro).get(fiche).status_code == 404
        assert client_de(pro).get(liste).status_code == 404


# --- Stock -------------------------------------------------------------------------------------------------------------


def test_stock_page_receipt_alerts_and_isolation(og_a, og_b, resident, client_de):
    client = client_de(og_a["infirmier"])
    r = client.post(
        "/medicaments/stock/",
        {
            "formulaire": "article",
            "medicament": f"S:{DOLIPRANE_1000}",
            "seuil_alerte": "50",
            "sortie_par_administration": "on",
        },
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        article = ArticleStock.objects.get()
    r = client.post(
        "/medicaments/stock/",
        {
            "formulaire": "mouvement",
            "article": article.public_id,
            "type_mouvement": "reception",
            "quantite": "40",
            "lot": "",
        },
        follow=True,
    )
    assert "Indiquez le lot" in r.content.decode()
    peremption = timezone.localdate() + datetime.timedelta(days=20)
    r = client.post(
        "/medicaments/stock/",
        {
            "formulaire": "mouvement",
            "article": article.public_id,
            "type_mouvement": "reception",
            "quantite": "40",
            "lot": "A12",
            "peremption": peremption.isoformat(),
        },
        follow=True,
    )
    page = r.content.decode()
    assert "stock bas" in page and "péremption proche" in page and "A12" in page
    with tenant_context(og_a.organisme.pk):
        assert MouvementStock.objects.get().quantite == 40
    # another tenant, a role without the habilitation
    assert "DOLIPRANE" not in client_de(og_b["infirmier"]).get("/medicaments/stock/").content.decode()
    assert (
        client_de(og_b["infirmier"])
        .post(
            "/medicaments/stock/",
            {
                "formulaire": "mouvement",
                "article": article.public_id,
                "type_mouvement": "sortie",
                "quantite": "1",
                "commentaire": "x",
            },
        )
        .status_code
        == 404
    )
    assert client_de(og_a["educateur"]).get("/medicaments/stock/").status_code == 404
    assert (
        client_de(og_a["aide_soignant"])
        .post(
            "/medicaments/stock/",
            {
                "formulaire": "mouvement",
                "article": article.public_id,
                "type_mouvement": "sortie",
                "quantite": "1",
                "commentaire": "x",
            },
        )
        .status_code
        == 404
    )


def test_cr_administration_requested_from_the_tab(
    og_a, og_b, resident, client_de, django_capture_on_commit_callbacks
):
    from documents.models import Document

    url = f"/medicaments/dossier/{resident.public_id}/"
    donnees = {
        "formulaire": "cr",
        "cr-etablissement": og_a.ehpad.public_id,
        "cr-du": "2026-13-01",
        "cr-au": timezone.localdate().isoformat(),
    }
    assert client_de(og_a["aide_soignant"]).post(url, donnees).status_code == 404
    assert client_de(og_b["infirmier"]).post(url, donnees).status_code == 404
    r = client_de(og_a["infirmier"]).post(url, donnees)
    assert r.status_code == 200 and "Saisissez une date valide" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client_de(og_a["infirmier"]).post(url, {**donnees, "cr-du": timezone.localdate().isoformat()})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        assert Document.objects.get().type_document == "cr_administration"


def test_a_pilulier_prepared_before_a_plan_change_is_flagged(og_a, resident, client_de):
    semaine = services.lundi(timezone.localdate()) + datetime.timedelta(days=7)
    p = prescrire(og_a, resident, heures=[datetime.time(8)])
    with tenant_context(og_a.organisme.pk):
        services.do_marquer_pilulier_prepare(og_a["infirmier"], resident, og_a.ehpad, semaine)
    liste = f"/medicaments/unite/{og_a.unite.public_id}/piluliers/?semaine={semaine}"
    fiche = f"/medicaments/dossier/{resident.public_id}/pilulier/?semaine={semaine}&etablissement={og_a.ehpad.public_id}"
    client = client_de(og_a["infirmier"])
    assert 'data-testid="a-refaire"' not in client.get(liste).content.decode()
    with tenant_context(og_a.organisme.pk):
        services.do_arreter(og_a["medecin"], p, "Effet indésirable")
    assert 'data-testid="a-refaire"' in client.get(liste).content.decode()
    assert "a changé depuis la préparation" in client.get(fiche).content.decode()


def test_what_was_typed_stays_after_an_error(og_a, resident, client_de):
    dose = dose_due(og_a, resident)
    client = client_de(og_a["infirmier"])
    # "non donné" without its reason: the precision and the panel stay
    r = client.post(
        f"/medicaments/dose/{dose.public_id}/administrer/",
        {"statut": "non_donne", "precision": "Dort profondément", "motif": ""},
        HTTP_HX_REQUEST="true",
    )
    page = r.content.decode()
    assert "Indiquez pourquoi" in page and 'value="Dort profondément"' in page and "<details open>" in page
    # "autre" without precision: the chosen reason stays selected
    r = client.post(
        f"/medicaments/dose/{dose.public_id}/administrer/",
        {"statut": "non_donne", "motif": "autre"},
        HTTP_HX_REQUEST="true",
    )
    assert (
        "Précisez le motif" in r.content.decode() and '<option value="autre" selected>' in r.content.decode()
    )
    # a "si besoin" refused (wrong box): the indication typed stays
    p = prescrire(
        og_a,
        resident,
        specialite_cis=FUROSEMIDE_40,
        si_besoin=True,
        heures=[],
        indication="Œdèmes",
        max_par_24h=2,
    )
    r = client.post(
        f"/medicaments/prescription/{p.public_id}/si-besoin/",
        {"indication": "Chevilles gonflées", "code": CIP_DOLIPRANE_1000},
        HTTP_HX_REQUEST="true",
    )
    assert "Mauvais médicament" in r.content.decode() and 'value="Chevilles gonflées"' in r.content.decode()
    # a stock receipt without its lot: the quantity and the expiry date stay
    with tenant_context(og_a.organisme.pk):
        article = services.do_ajouter_article(
            og_a["infirmier"],
            ArticleStock(etablissement=og_a.ehpad, specialite=Specialite.objects.get(cis=DOLIPRANE_1000)),
        )
    r = client.post(
        "/medicaments/stock/",
        {
            "formulaire": "mouvement",
            "article": article.public_id,
            "type_mouvement": "reception",
            "quantite": "48",
            "lot": "",
            "peremption": "2027-06-30",
        },
    )
    page = r.content.decode()
    assert "Indiquez le lot" in page and 'value="48"' in page and 'value="2027-06-30"' in page


def test_si_besoin_is_refused_to_roles_that_do_not_administer(og_a, og_b, resident, client_de):
    p = prescrire(og_a, resident, si_besoin=True, heures=[], indication="Douleur", max_par_24h=2)
    url = f"/medicaments/prescription/{p.public_id}/si-besoin/"
    for pro in (og_a["aide_soignant"], og_a["pharmacien"], og_a["educateur"], og_b["infirmier"]):
        assert client_de(pro).post(url, {"indication": "Douleur"}).status_code == 404
    with tenant_context(og_a.organisme.pk):
        assert not Administration.objects.exists()


def test_medicaments_tab_query_count_is_pinned_and_independent_of_history(og_a, resident, client_de):
    prescrire(og_a, resident)
    client = client_de(og_a["medecin"])
    url = f"/medicaments/dossier/{resident.public_id}/"
    client.get(url)
    avant = nombre_de_requetes(client, url)
    _historique(og_a, [resident], 6)  # more lines, acknowledged alerts, a week of administrations
    with tenant_context(og_a.organisme.pk):
        services.do_arreter(og_a["medecin"], Prescription.objects.filter(usager=resident).first(), "Fin")
    # session, habilitations, banner and tabs of the dossier (as every tab), lines with their alerts (2), the
    # week of administrations, the forms' ESMS choices (−1 since the dossier registry loads the séjours once)
    assert nombre_de_requetes(client, url) == avant == 21  # issue 16: 30 before


@pytest.mark.parametrize(
    ("forme", "unite"),
    [
        ("comprimé pelliculé sécable", "comprime"),
        ("gélule gastro-résistant(e)", "gelule"),
        ("poudre pour suspension buvable", "ml"),
        ("poudre pour solution buvable en sachet", "sachet"),
        ("collyre en solution", "goutte"),
        ("suppositoire", "suppositoire"),
        ("dispositif transdermique", "patch"),
        ("crème", "application"),
        ("comprimé et solution(s) et granules et poudre et pommade", "comprime"),
        ("implant", ""),
    ],
)
def test_the_usual_unit_of_a_pharmaceutical_form(forme, unite):
    from medicaments.selectors import unite_de_forme

    assert unite_de_forme(forme) == unite


def test_search_results_carry_the_usual_unit(og_a, resident, client_de):
    corps = client_de(og_a["medecin"]).get("/medicaments/recherche/?q=doliprane 1000").content.decode()
    assert f'value="S:{DOLIPRANE_1000}" data-unite="comprime"' in corps
