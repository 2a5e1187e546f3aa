"""Soins pages: happy path, bad input, other tenant, missing habilitation, query counts, DLU PDF."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from documents.models import Document
from documents.pdf import texte_du_pdf
from dui.tenancy import tenant_context
from soins import services
from soins.models import Allergie, Antecedent, Constante, Intervenant, RealisationSoin, Transmission
from tests.soins.conftest import creer_resident, ecrire, planifier
from tests.utils import requetes_comptees

pytestmark = pytest.mark.django_db


def _count(client, url) -> int:
    with requetes_comptees() as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _pages_du_dossier(usager):
    return [f"/soins/dossier/{usager.public_id}/{p}" for p in ("", "constantes/", "transmissions/", "plan/")]


def _pages_unite(tenant):
    return [f"/soins/unite/{tenant.unite.public_id}/{p}/" for p in ("releve", "journee", "constantes")]


def test_dossier_tab_allergies_in_the_banner_and_medical_fields_for_the_care_team_only(
    og_a, resident, client_de
):
    infirmier = client_de(og_a["infirmier"])
    url = f"/soins/dossier/{resident.public_id}/"
    r = infirmier.post(
        url,
        {
            "formulaire": "allergie",
            "allergie-nature": "allergie",
            "allergie-type_agent": "substance",
            "allergie-agent": "Amoxicilline",
            "allergie-reaction": "Œdème de Quincke",
            "allergie-severite": "vitale",
            "allergie-certitude": "confirmee",
        },
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        services.do_ajouter_antecedent(
            og_a["medecin"],
            resident,
            Antecedent(type_antecedent="probleme", libelle="Insuffisance cardiaque"),
        )
    # bad input: a clear French message, what was typed stays
    r = infirmier.post(
        url,
        {
            "formulaire": "allergie",
            "allergie-type_agent": "aliment",
            "allergie-agent": "Kiwi",
            "allergie-reaction": "",
            "allergie-severite": "legere",
        },
    )
    body = r.content.decode()
    assert r.status_code == 200 and "Ce champ est obligatoire" in body and 'value="Kiwi"' in body
    # the banner of every tab shows the allergy to the care team (aide-soignant included)…
    for role in ("infirmier", "aide_soignant", "medecin"):
        body = client_de(og_a[role]).get(f"/usagers/{resident.public_id}/").content.decode()
        assert "Amoxicilline" in body and "menace vitale" in body, role
    # …the medical history to medical roles only
    assert "Insuffisance cardiaque" in infirmier.get(url).content.decode()
    body = client_de(og_a["aide_soignant"]).get(url).content.decode()
    assert "Amoxicilline" in body and "Insuffisance cardiaque" not in body and "antecedents" not in body
    assert (
        client_de(og_a["aide_soignant"])
        .post(
            url,
            {"formulaire": "antecedent", "antecedent-libelle": "x", "antecedent-type_antecedent": "medical"},
        )
        .status_code
        == 404
    )
    # educators and administrative staff: no allergy, no tab, 404 on the pages
    for role in ("educateur", "agent_administratif"):
        client = client_de(og_a[role])
        body = client.get(f"/usagers/{resident.public_id}/").content.decode()
        assert "Amoxicilline" not in body and "Allergies" not in body and "/soins/" not in body, role
        for page in _pages_du_dossier(resident):
            assert client.get(page).status_code == 404, (role, page)
    assert client.post(url, {"formulaire": "inconnu"}).status_code == 404


def test_constantes_page_entry_alert_chart_and_bad_input(og_a, resident, client_de):
    client = client_de(og_a["aide_soignant"])
    url = f"/soins/dossier/{resident.public_id}/constantes/"
    maintenant = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        url,
        {
            "formulaire": "mesures",
            "c-etablissement": og_a.ehpad.public_id,
            "c-mesure_le": maintenant,
            "c-tension": "172",
            "c-tension_2": "88",
            "c-temperature": "37,2",
            "c-poids": "61,5",
        },
        follow=True,
    )
    body = r.content.decode()
    assert "Constantes enregistrées" in body and "Alerte : Systolique 172 mmHg &gt; seuil 160" in body
    assert 'data-testid="graphique-tension"' in body and 'data-testid="graphique-temperature"' in body
    assert "<polyline" in body and "37,2 °C" in body
    with tenant_context(og_a.organisme.pk):
        assert Constante.objects.count() == 3
    r = client.post(
        url,
        {
            "formulaire": "mesures",
            "c-etablissement": og_a.ehpad.public_id,
            "c-mesure_le": maintenant,
            "c-temperature": "3,72",
            "c-pouls": "abc",
        },
    )
    body = r.content.decode()
    assert "Saisissez un nombre" in body and 'value="3,72"' in body
    r = client.post(
        url,
        {
            "formulaire": "mesures",
            "c-etablissement": og_a.ehpad.public_id,
            "c-mesure_le": maintenant,
            "c-temperature": "3,72",
        },
    )
    assert "entre 30,0 et 44,0" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert Constante.objects.count() == 3
    # the aide-soignant has no threshold form; the infirmier has
    assert client.post(url, {"formulaire": "seuil"}).status_code == 404
    assert "Adapter un seuil" in client_de(og_a["infirmier"]).get(url).content.decode()


def test_transmission_tab_and_day_view_are_404_for_other_tenant_and_roles_without_soins(
    og_a, og_b, resident, client_de
):
    ecrire(og_a, resident, cible="Comportement", donnees="Agitée la nuit")
    soin = planifier(og_a, resident)
    pages = _pages_du_dossier(resident) + _pages_unite(og_a)
    for user in (
        og_b["infirmier"],
        og_b["medecin"],
        og_b.admin,
        og_a["educateur"],
        og_a["agent_administratif"],
    ):
        client = client_de(user)
        for page in pages:
            assert client.get(page).status_code == 404, (user, page)
        assert (
            client.post(
                f"/soins/soin/{soin.public_id}/valider/",
                {"jour": timezone.localdate().isoformat(), "heure": "08:00", "statut": "fait"},
            ).status_code
            == 404
        )
        assert (
            client.post(
                f"/soins/dossier/{resident.public_id}/transmission-rapide/",
                {"unite": og_a.unite.public_id, "texte": "Piraté"},
            ).status_code
            == 404
        )
        assert (
            client.get(
                f"/soins/dossier/{resident.public_id}/transmission-rapide/?unite={og_a.unite.public_id}"
            ).status_code
            == 404
        )
        assert (
            client.post(f"/soins/unite/{og_a.unite.public_id}/releve/lu/", {"objet": "tout"}).status_code
            == 404
        )
        assert (
            client.get("/soins/").status_code == 404
            or "Pavillon A" not in client.get("/soins/").content.decode()
        )
    with tenant_context(og_a.organisme.pk):
        assert not RealisationSoin.objects.exists() and Transmission.objects.count() == 1
    # the care team sees them
    client = client_de(og_a["aide_soignant"])
    for page in pages:
        assert client.get(page).status_code == 200, page
    assert "Agitée la nuit" in client.get(_pages_du_dossier(resident)[2]).content.decode()
    assert "Pavillon A" in client.get("/soins/").content.decode()


def test_day_view_validation_without_javascript_and_with_htmx(og_a, resident, client_de):
    soin = planifier(
        og_a, resident, heures=[datetime.time(0, 0), datetime.time(0, 5)], libelle="Change de nuit"
    )
    client = client_de(og_a["aide_soignant"])
    jour = timezone.localdate().isoformat()
    url = f"/soins/soin/{soin.public_id}/valider/"
    r = client.post(url, {"jour": jour, "heure": "00:00", "statut": "fait"})
    assert (
        r.status_code == 302 and r["Location"] == f"/soins/unite/{og_a.unite.public_id}/journee/?jour={jour}"
    )
    r = client.post(url, {"jour": jour, "heure": "00:05", "statut": "pas_fait"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and "Indiquez pourquoi" in r.content.decode()
    r = client.post(
        url, {"jour": jour, "heure": "00:05", "statut": "pas_fait", "motif": "refus"}, HTTP_HX_REQUEST="true"
    )
    body = r.content.decode()
    assert "Pas fait — Refus de la personne" in body
    r = client.post(url, {"jour": jour, "heure": "00:05", "statut": "fait"}, HTTP_HX_REQUEST="true")
    assert "Déjà noté « pas fait »" in r.content.decode()
    body = client.get(f"/soins/unite/{og_a.unite.public_id}/journee/").content.decode()
    assert "Change de nuit" in body and "Refus de la personne" in body
    assert "Fait · " in body


def test_releve_page_and_read_marks(og_a, resident, client_de):
    ecrire(og_a, resident, cible="Chute", donnees="Retrouvée assise au sol à 3 h", importante=True)
    client = client_de(og_a["infirmier"])
    url = f"/soins/unite/{og_a.unite.public_id}/releve/"
    body = client.get(url).content.decode()
    assert "Retrouvée assise au sol" in body and "1 non lu" in body
    with tenant_context(og_a.organisme.pk):
        t = Transmission.objects.get()
    r = client.post(
        f"/soins/unite/{og_a.unite.public_id}/releve/lu/",
        {"objet": f"transmission:{t.public_id}"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and "Marquer comme lu" not in r.content.decode()
    assert "0 non lu" in client.get(url).content.decode()
    assert (
        client.post(
            f"/soins/unite/{og_a.unite.public_id}/releve/lu/", {"objet": "transmission:x"}
        ).status_code
        == 404
    )


def test_round_of_constantes_for_a_unit_saves_all_or_nothing(og_a, resident, client_de):
    voisin = creer_resident(og_a, chambre="14")
    client = client_de(og_a["aide_soignant"])
    url = f"/soins/unite/{og_a.unite.public_id}/constantes/"
    a, b = str(resident.public_id), str(voisin.public_id)
    donnees = {
        f"{a}-heure": "00:00",
        f"{b}-heure": "",
        f"{a}-tension": "130",
        f"{a}-tension_2": "80",
        f"{a}-pouls": "72",
        f"{b}-temperature": "45",
    }
    r = client.post(url, donnees)
    body = r.content.decode()
    assert (
        "Rien n&#x27;a été enregistré" in body and 'value="130"' in body and "Indiquez l&#x27;heure" in body
    )
    donnees[f"{b}-heure"] = "00:00"
    body = client.post(url, donnees).content.decode()
    assert "Rien n&#x27;a été enregistré" in body and 'value="130"' in body and "entre 30,0 et 44,0" in body
    with tenant_context(og_a.organisme.pk):
        assert not Constante.objects.exists()
    donnees[f"{b}-temperature"] = "38,4"
    r = client.post(url, donnees, follow=True)
    body = r.content.decode()
    assert (
        "3 mesure(s) enregistrée(s) pour 2 personne(s)" in body
        and "Température 38,4 °C &gt; seuil 38,0" in body
    )
    assert "Aucune valeur saisie" in client.post(url, {f"{a}-heure": "00:00"}).content.decode()


def test_dlu_is_one_page_with_the_record(
    og_a, og_b, resident, client_de, django_capture_on_commit_callbacks, base_bdpm
):
    from tests.medicaments.conftest import prescrire
    from usagers.models import Proche

    prescrire(og_a, resident, heures=[datetime.time(8)])
    for i, cis in enumerate(("60192594", "68416845", "60151544")):  # furosémide, lévothyrox, amoxicilline
        prescrire(og_a, resident, specialite_cis=cis, heures=[datetime.time(8 + i)])

    with tenant_context(og_a.organisme.pk):
        Allergie.objects.create(
            organisme=og_a.organisme,
            usager=resident,
            type_agent="substance",
            agent="Iode",
            reaction="Choc",
            severite="vitale",
            saisie_par=og_a["infirmier"],
        )
        Antecedent.objects.create(
            organisme=og_a.organisme,
            usager=resident,
            type_antecedent="medical",
            libelle="AVC ischémique",
            date_debut="2019",
            saisi_par=og_a["medecin"],
        )
        Intervenant.objects.create(
            organisme=og_a.organisme,
            usager=resident,
            role="medecin_traitant",
            nom="Dr Sophie Bernard",
            telephone="01 02 03 04 05",
        )
        Proche.objects.create(
            organisme=og_a.organisme,
            usager=resident,
            nom="Marchand",
            prenom="Luc",
            lien="enfant",
            telephone="06 11 22 33 44",
            personne_confiance=True,
        )
        for i in range(30):  # a long history still fits on one page
            Antecedent.objects.create(
                organisme=og_a.organisme,
                usager=resident,
                type_antecedent="chirurgical",
                libelle=f"Intervention {i}",
                saisi_par=og_a["medecin"],
            )
    from tests.soins.test_services import _mesurer

    _mesurer(og_a, resident, tension=(128, 76))
    url = f"/soins/dossier/{resident.public_id}/"
    # roles without the medical habilitation cannot ask for it; nor can another tenant
    assert client_de(og_a["aide_soignant"]).post(url, {"formulaire": "dlu"}).status_code == 404
    assert client_de(og_b["infirmier"]).post(url, {"formulaire": "dlu"}).status_code == 404
    client = client_de(og_a["infirmier"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"formulaire": "dlu", "dlu-etablissement": og_a.ehpad.public_id})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        document = Document.objects.get()
    assert (document.statut, document.type_document, document.code_loinc, document.categorie) == (
        "disponible",
        "dlu",
        "74207-2",
        "medical",
    ), document.erreur
    with document.fichier.open("rb") as f:
        contenu = f.read()
    assert len(PdfReader(io.BytesIO(contenu)).pages) == 1
    texte = texte_du_pdf(contenu)
    for attendu in (
        "Document de liaison d'urgence",
        "MARCHAND",
        "Odette",
        "Iode",
        "Choc",
        "AVC ischémique",
        "Dr Sophie Bernard",
        "Personne de confiance",
        "Luc Marchand",
        "128/76 mmHg",
        "… et 21 autre(s)",
        "DOLIPRANE 1000 mg, comprimé",
        "tous les jours à 08 h 00, voie orale",
        "LEVOTHYROX",
        "FINESS",
    ):
        assert attendu in texte, attendu
    # the aide-soignant reads documents but not this medical one
    assert client_de(og_a["aide_soignant"]).get(f"/documents/{document.public_id}/").status_code == 404
    assert client_de(og_b["infirmier"]).get(f"/documents/{document.public_id}/").status_code == 404


def test_dlu_task_is_tenant_and_right_checked(og_a, og_b, resident):
    from documents.services import do_demander_generation
    from soins.tasks import generer_dlu

    with tenant_context(og_a.organisme.pk):
        dossier = services.dossier_soins_de(resident)
        doc = do_demander_generation(
            og_a["infirmier"],
            source=dossier,
            usager=resident,
            etablissement=og_a.ehpad,
            type_document="dlu",
            categorie="medical",
            titre="DLU",
            tache=_Nulle(),
        )
    # run by another tenant's professional: the document is not found in that tenant
    with pytest.raises(Exception, match="introuvable"):
        generer_dlu.apply(
            args=[str(doc.public_id)],
            kwargs={"organisme_id": og_b.organisme.pk, "acteur_id": og_b["infirmier"].pk},
        ).get()
    # run for an educator or an aide-soignant of A (no medical habilitation): refused, written on the document
    for role in ("educateur", "aide_soignant"):
        with tenant_context(og_a.organisme.pk):
            Document.objects.filter(pk=doc.pk).update(statut="en_preparation", erreur="")
        generer_dlu.apply(
            args=[str(doc.public_id)], kwargs={"organisme_id": og_a.organisme.pk, "acteur_id": og_a[role].pk}
        )
        with tenant_context(og_a.organisme.pk):
            doc.refresh_from_db()
        assert doc.statut == "echec" and "habilitation" in doc.erreur and not doc.fichier, role


class _Nulle:
    def delay(self, *args, **kwargs):
        return None


# --- Query counts ------------------------------------------------------------------------------------------------


def _historique(tenant, usagers, jours):
    """``jours`` days of history for these people: transmissions, constantes with alerts, care tasks."""
    maintenant = timezone.now()
    with tenant_context(tenant.organisme.pk):
        for usager in usagers:
            soin = planifier(
                tenant,
                usager,
                heures=[datetime.time(8), datetime.time(20)],
                date_debut=timezone.localdate() - datetime.timedelta(days=jours),
            )
            for j in range(jours):
                moment = maintenant - datetime.timedelta(days=j, hours=1)
                Transmission.objects.create(
                    organisme=tenant.organisme,
                    usager=usager,
                    etablissement=tenant.ehpad,
                    unite=tenant.unite,
                    auteur=tenant["aide_soignant"],
                    ecrite_le=moment,
                    poste="matin",
                    date_poste=moment.date(),
                    cible="Sommeil",
                    donnees="Nuit calme",
                )
                Constante.objects.create(
                    organisme=tenant.organisme,
                    usager=usager,
                    etablissement=tenant.ehpad,
                    type_constante="temperature",
                    valeur=39,
                    mesure_le=moment,
                    alerte="Température 39,0 °C > seuil 38,0",
                    auteur=tenant["infirmier"],
                )
                RealisationSoin.objects.create(
                    organisme=tenant.organisme,
                    soin=soin,
                    usager=usager,
                    etablissement=tenant.ehpad,
                    date_prevue=timezone.localdate() - datetime.timedelta(days=j),
                    heure_prevue=datetime.time(8),
                    statut="pas_fait",
                    motif="refus",
                    auteur=tenant["aide_soignant"],
                    realise_le=moment,
                )


def test_releve_day_view_and_round_query_counts_do_not_grow_with_history_or_residents(og_a, client_de):
    premiers = [creer_resident(og_a, chambre=str(i)) for i in range(2)]
    _historique(og_a, premiers, 2)
    client = client_de(og_a["infirmier"])
    pages = _pages_unite(og_a)
    for page in pages:  # warm-up: session, first prise de poste
        client.get(page)
    avant = {page: _count(client, page) for page in pages}
    autres = [creer_resident(og_a, chambre=str(10 + i)) for i in range(6)]
    _historique(og_a, premiers + autres, 6)
    apres = {page: _count(client, page) for page in pages}
    assert apres == avant
    # relève: session, transaction, tenant, user, rights, unit, shift (1: the current and the previous in one
    # read), residents, 5 lists, journal (unit, persons), the agenda's section of the day (issue 17: events,
    # their bookings), the "si besoin" to re-evaluate (issue 23: the ESMS's doses of the window; their residents
    # only when there are some, as in test_reevaluation), commit (issue 16: 25 before; 21 before its second pass)
    assert avant[pages[0]] == 19
    # day view: … residents, journal (unit, persons), plan, réalisations, the agenda's section (issue 17), the
    # "si besoin" to re-evaluate (1 here) (20 before; 16 before the second pass of issue 16)
    assert avant[pages[1]] == 15
    assert avant[pages[2]] == 9  # round of constantes (issue 16: 16 before)


def test_dossier_tabs_query_counts_do_not_grow_with_history(og_a, resident, client_de):
    _historique(og_a, [resident], 2)
    client = client_de(og_a["infirmier"])
    pages = _pages_du_dossier(resident)
    for page in pages:
        client.get(page)
    avant = {page: _count(client, page) for page in pages}
    _historique(og_a, [resident], 10)
    assert {page: _count(client, page) for page in pages} == avant


def test_reading_the_soins_tab_writes_nothing(og_a, resident, client_de):
    from soins.models import DossierSoins

    assert client_de(og_a["pharmacien"]).get(f"/soins/dossier/{resident.public_id}/").status_code == 200
    with tenant_context(og_a.organisme.pk):
        assert not DossierSoins.objects.exists()
    client = client_de(og_a["infirmier"])
    r = client.post(
        f"/soins/dossier/{resident.public_id}/",
        {
            "formulaire": "profil",
            "profil-regime": "autre",
            "profil-regime_precisions": "",
            "profil-texture": "mixee",
            "profil-liquides": "gelifies",
            "profil-risque_chute": "eleve",
            "profil-risque_escarre": "faible",
            "profil-risque_denutrition": "modere",
            "profil-risque_fausse_route": "eleve",
        },
    )
    assert "Précisez le régime" in r.content.decode()
    r = client.post(
        f"/soins/dossier/{resident.public_id}/",
        {
            "formulaire": "profil",
            "profil-regime": "autre",
            "profil-regime_precisions": "Sans porc",
            "profil-texture": "mixee",
            "profil-liquides": "gelifies",
            "profil-risque_chute": "eleve",
            "profil-risque_escarre": "faible",
            "profil-risque_denutrition": "modere",
            "profil-risque_fausse_route": "eleve",
        },
    )
    assert r.status_code == 302
    body = client_de(og_a["aide_soignant"]).get(f"/usagers/{resident.public_id}/").content.decode()
    assert "Texture mixée lisse · eau gélifiée" in body and "Risque : fausses routes" in body


def test_releve_by_resident_most_important_first_read_in_one_tap(og_a, resident, og_b, client_de):
    """Issue 23, item 6: one card per resident — a fall or an alert first, then a hospitalisation or an
    important transmission, then a refusal, then the ordinary — each resident's items read in one tap."""
    from tests.soins.test_services import _mesurer

    calme = creer_resident(og_a, chambre="01", nom_naissance="Aubert", premier_prenom="Paul")
    chute = creer_resident(og_a, chambre="30", nom_naissance="Zola", premier_prenom="Jeanne")
    fievre = creer_resident(og_a, chambre="20", nom_naissance="Yvon", premier_prenom="Marc")
    ecrire(og_a, calme, cible="Repas", donnees="A bien mangé")
    ecrire(og_a, calme, cible="Sommeil", donnees="Nuit calme")
    ecrire(og_a, chute, cible="Mobilité", donnees="Retrouvée au sol près du lit à 3 h")
    _mesurer(og_a, fievre, temperature="39.4")
    soin = planifier(og_a, resident, heures=[datetime.time(0, 0)])
    with tenant_context(og_a.organisme.pk):
        services.do_valider_soin(
            og_a["aide_soignant"], soin, timezone.localdate(), datetime.time(0, 0), "pas_fait", "refus"
        )
    client = client_de(og_a["infirmier"])
    url = f"/soins/unite/{og_a.unite.public_id}/releve/"
    corps = client.get(url).content.decode()
    ordre = [corps.index(f'id="groupe-{u.public_id}"') for u in (fievre, chute, resident, calme)]
    assert ordre == sorted(ordre), "alerte et chute (par chambre), puis refus, puis le reste"
    assert (
        "5 non lus" in corps and ">Chute<" in corps and ">Alerte constante<" in corps and ">Refus<" in corps
    )
    # one tap for Paul Aubert's two transmissions
    lu = f"/soins/unite/{og_a.unite.public_id}/releve/lu/"
    r = client.post(lu, {"objet": f"usager:{calme.public_id}"}, HTTP_HX_REQUEST="true")
    groupe = r.content.decode()
    assert r.status_code == 200 and r["HX-Trigger"] == "releve-lue"
    assert "Nuit calme" in groupe and "A bien mangé" in groupe and "non-lus-resident" not in groupe
    assert "3 non lus" in client.get(url).content.decode()
    # another organisme's professional, or a person not in the relève: nothing
    assert client_de(og_b["infirmier"]).post(lu, {"objet": f"usager:{calme.public_id}"}).status_code == 404
    assert client.post(lu, {"objet": f"usager:{og_b.organisme.public_id}"}).status_code == 404
