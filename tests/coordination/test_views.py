"""Request-level tests of the agenda and the directory: happy path, bad input, other tenant, missing right,
the calendar feed (parsed with ``icalendar``, no health data, revoked → 404), query counts."""

import datetime
import re

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from annuaire.identifiants import luhn_valide
from annuaire.models import Partenaire
from coordination.forms import instant
from coordination.models import Evenement, JetonAgenda, Participation
from dui.tenancy import tenant_context
from tests.utils import nombre_de_requetes

from .conftest import demain, rdv, vehicule


def _poster_rdv(client, personne, **donnees):
    valeurs = {
        "genre": "rdv_externe",
        "titre": "Consultation cardiologie",
        "jour": f"{demain():%Y-%m-%d}",
        "heure_debut": "10:00",
        "heure_fin": "11:00",
        "lieu": "CHU, consultations externes",
        "intervalle": "1",
    }
    valeurs.update(donnees)
    return client.post(reverse("coordination:nouveau_rdv", args=[personne.public_id]), valeurs)


def test_planifier_un_rendez_vous_exterieur_avec_transport(og_a, personne, client_de):
    minibus = vehicule(og_a)
    client = client_de(og_a["infirmier"])
    r = _poster_rdv(
        client,
        personne,
        mode_transport="vehicule",
        vehicule=minibus.public_id,
        conducteur=og_a["aide_soignant"].public_id,
        heure_depart="09:15",
        heure_retour="12:00",
        a_jeun="on",
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    page = client.get(reverse("coordination:dossier", args=[personne.public_id])).content.decode()
    assert "Consultation cardiologie" in page and "Minibus" in page and "À jeun" in page
    with tenant_context(og_a.organisme.pk):
        e = Evenement.objects.get()
        assert e.transport.conducteur == og_a["aide_soignant"]
        assert {r.professionnel_id for r in e.reservations.filter(professionnel__isnull=False)} == {
            og_a["aide_soignant"].pk
        }


def test_double_reservation_message_et_rien_de_perdu(og_a, personne, client_de):
    rdv(og_a, personne, heure=10)
    client = client_de(og_a["educateur"])
    r = _poster_rdv(
        client, personne, titre="Atelier mémoire individuel", heure_debut="10:30", heure_fin="11:30"
    )
    page = r.content.decode()
    assert r.status_code == 200
    assert "a déjà un engagement" in page and "Consultation cardiologie" in page
    assert 'value="Atelier mémoire individuel"' in page  # what was typed is kept


@pytest.mark.parametrize(
    "donnees,message",
    [
        ({"heure_fin": "09:00"}, "L&#x27;heure de fin doit suivre"),
        ({"jour": "31/02/2027"}, "Saisissez une date valide"),
        ({"repetition": "hebdomadaire", "jusqu_au": "2020-01-01"}, "La fin de la répétition précède"),
        (
            {"mode_transport": "vehicule", "heure_depart": "09:00", "heure_retour": "12:00"},
            "Choisissez le véhicule",
        ),
        (
            {"mode_transport": "taxi", "heure_depart": "10:30", "heure_retour": "12:00"},
            "Le transport doit partir avant",
        ),
    ],
)
def test_saisies_invalides(og_a, personne, client_de, donnees, message):
    r = _poster_rdv(client_de(og_a["infirmier"]), personne, **donnees)
    assert r.status_code == 200 and message in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        assert not Evenement.objects.exists()


def test_autre_organisme_et_sans_droit(og_a, og_b, personne, client_de):
    evenement = rdv(og_a, personne)
    for client in (client_de(og_b["directeur"]), client_de(og_a["pharmacien"])):
        assert client.get(reverse("coordination:dossier", args=[personne.public_id])).status_code == 404
        assert client.get(evenement.get_absolute_url()).status_code == 404
        assert _poster_rdv(client, personne).status_code == 404
    assert (
        "Consultation"
        not in client_de(og_b["infirmier"]).get(reverse("coordination:mon_agenda")).content.decode()
    )


def test_statut_motif_obligatoire_puis_fait_avec_compte_rendu(og_a, personne, client_de):
    evenement = rdv(og_a, personne)
    client = client_de(og_a["infirmier"])
    r = client.post(evenement.get_absolute_url(), {"quoi": "statut", "statut": "annule", "motif": ""})
    assert "Indiquez le motif" in r.content.decode()
    r = client.post(
        evenement.get_absolute_url(), {"quoi": "statut", "statut": "annule", "motif": "Hospitalisation"}
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        evenement.refresh_from_db()
        assert evenement.statut == "annule" and evenement.motif_cloture == "Hospitalisation"


def test_activite_presence_en_un_geste(og_a, personne, client_de, codes_serafin):
    client = client_de(og_a["educateur"])
    r = client.post(
        reverse("coordination:nouvelle_activite", args=[og_a.ehpad.public_id]),
        {
            "genre": "activite",
            "titre": "Atelier mémoire",
            "jour": f"{datetime.date.today():%Y-%m-%d}",
            "heure_debut": "00:00",
            "heure_fin": "23:59",
            "capacite": "8",
            "participants": [personne.public_id],
            "intervalle": "1",
            "prestation": codes_serafin.filter(code__startswith="2.3", niveau__gte=3).first().pk,
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(og_a.organisme.pk):
        participation = Participation.objects.get()
        assert participation.prestation is not None
    r = client.post(
        reverse("coordination:presence", args=[participation.public_id]),
        {"presence": "present"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 200 and 'aria-pressed="true">Présent' in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        participation.refresh_from_db()
        assert participation.presence == "present" and participation.note_par == og_a["educateur"]
    assert (
        client_de(og_a["pharmacien"])
        .post(reverse("coordination:presence", args=[participation.public_id]), {"presence": "absent"})
        .status_code
        == 404
    )


def test_flux_icalendar_sans_donnee_de_sante_et_revocable(og_a, og_b, personne, client, client_de):
    rdv(
        og_a,
        personne,
        titre="Consultation oncologie",
        lieu="CHU Nord",
        professionnels=[og_a["infirmier"]],
        preparation="Apporter le dernier bilan sanguin",
    )
    pro_client = client_de(og_a["infirmier"])
    page = pro_client.post(reverse("coordination:abonnements"), {"libelle": "Téléphone"}).content.decode()
    adresse = re.search(r'data-testid="adresse-flux">([^<]+)<', page).group(1)
    chemin = adresse.split("testserver", 1)[1]
    r = client.get(chemin)
    assert r.status_code == 200 and r["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(r.content)
    (ev,) = cal.walk("VEVENT")
    assert str(ev["summary"]) == "Rendez-vous extérieur — O. M."
    assert str(ev["location"]) == "CHU Nord"
    texte = r.content.decode()
    for interdit in ("oncologie", "bilan", "MARCHAND", "Odette"):
        assert interdit not in texte
    with tenant_context(og_a.organisme.pk):
        jeton = JetonAgenda.objects.get()
    assert (
        client_de(og_b["infirmier"])
        .post(reverse("coordination:revoquer", args=[jeton.public_id]))
        .status_code
        == 404
    )
    pro_client.post(reverse("coordination:revoquer", args=[jeton.public_id]))
    assert client.get(chemin).status_code == 404
    assert client.get(chemin.replace(".ics", "x.ics")).status_code == 404


def test_annuaire_rpps_invalide_message_et_isolation(og_a, og_b, client_de):
    client = client_de(og_a["agent_administratif"])
    r = client.post(
        reverse("annuaire:nouveau"), {"genre": "medecin", "nom": "Dr Martin", "rpps": "10000000000"}
    )
    assert "Ce numéro RPPS est invalide" in r.content.decode()
    rpps = next(f"1000000000{c}" for c in range(10) if luhn_valide(f"1000000000{c}"))
    r = client.post(
        reverse("annuaire:nouveau"), {"genre": "medecin", "nom": "Dr Martin", "rpps": rpps, "actif": "on"}
    )
    assert r.status_code == 302
    r = client.post(
        reverse("annuaire:nouveau"), {"genre": "medecin", "nom": "Dr Martin bis", "rpps": rpps, "actif": "on"}
    )
    assert "déjà ce numéro RPPS" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        partenaire = Partenaire.objects.get()
    autre = client_de(og_b["agent_administratif"])
    assert "Dr Martin" not in autre.get(reverse("annuaire:liste") + "?q=Martin").content.decode()
    assert autre.get(reverse("annuaire:partenaire", args=[partenaire.public_id])).status_code == 404
    assert client_de(og_a["pharmacien"]).get(reverse("annuaire:liste")).status_code == 404


def test_requetes_des_pages_d_agenda_independantes_de_l_historique(og_a, personne, client_de):
    client = client_de(og_a["infirmier"])
    rdv(og_a, personne, heure=9, professionnels=[og_a["infirmier"]])
    pages = [
        reverse("coordination:dossier", args=[personne.public_id]),
        reverse("coordination:mon_agenda") + f"?jour={demain():%Y-%m-%d}&vue=semaine",
        reverse("coordination:unite", args=[og_a.unite.public_id]) + f"?jour={demain():%Y-%m-%d}",
        reverse("coordination:etablissement", args=[og_a.ehpad.public_id]) + f"?jour={demain():%Y-%m-%d}",
    ]
    avant = [nombre_de_requetes(client, p) for p in pages]
    for h in (11, 13, 15):
        rdv(og_a, personne, heure=h, professionnels=[og_a["infirmier"]], titre=f"RDV {h}")
    apres = [nombre_de_requetes(client, p) for p in pages]
    assert apres == avant
    # the person's tab: their events and their activities read apart (two indexed reads, not one OR)
    assert avant == [17, 10, 11, 14]


def test_document_joint_a_un_rendez_vous_lu_selon_sa_categorie(og_a, og_b, personne, client_de):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evenement = rdv(og_a, personne)
    medecin = client_de(og_a["medecin"])

    def pdf(contenu=b"%PDF-1.4 compte rendu"):
        return SimpleUploadedFile("cr.pdf", contenu, content_type="application/pdf")

    r = medecin.post(
        evenement.get_absolute_url(),
        {"quoi": "depot", "titre": "CR cardiologie", "categorie": "medical", "fichier": pdf(b"GIF89a")},
    )
    assert "Déposez un fichier PDF" in r.content.decode()
    r = medecin.post(
        evenement.get_absolute_url(),
        {"quoi": "depot", "titre": "CR cardiologie", "categorie": "medical", "fichier": pdf()},
    )
    assert r.status_code == 302
    # the nurse reads the medical record (medical.voir), but may not file in it
    infirmier = client_de(og_a["infirmier"]).get(evenement.get_absolute_url()).content.decode()
    assert "CR cardiologie" in infirmier and '<option value="medical"' not in infirmier
    educatrice = client_de(og_a["educateur"]).get(evenement.get_absolute_url()).content.decode()
    assert "Consultation cardiologie" in educatrice and "CR cardiologie" not in educatrice  # no medical right
    # the educator may not file a medical document either
    r = client_de(og_a["educateur"]).post(
        evenement.get_absolute_url(),
        {"quoi": "depot", "titre": "x", "categorie": "medical", "fichier": pdf()},
    )
    assert "Sélectionnez un choix valide" in r.content.decode()
    assert (
        client_de(og_b["infirmier"]).post(evenement.get_absolute_url(), {"quoi": "depot"}).status_code == 404
    )


def test_agenda_d_un_collegue_et_deplacement_en_un_geste(og_a, og_b, personne, client_de):
    evenement = rdv(og_a, personne, professionnels=[og_a["aide_soignant"]])
    url = reverse("coordination:agenda_professionnel", args=[og_a["aide_soignant"].public_id])
    page = client_de(og_a["infirmier"]).get(url + f"?jour={demain():%Y-%m-%d}").content.decode()
    assert "Agenda de" in page and "Consultation cardiologie" in page
    assert client_de(og_b["infirmier"]).get(url).status_code == 404
    assert client_de(og_a["pharmacien"]).get(url).status_code == 404
    page = client_de(og_a["infirmier"]).get(evenement.get_absolute_url()).content.decode()
    assert "Demain, même heure" in page
    apres = demain() + datetime.timedelta(days=1)
    r = client_de(og_a["infirmier"]).post(
        evenement.get_absolute_url(),
        {"quoi": "deplacer", "jour": f"{apres:%Y-%m-%d}", "heure_debut": "10:00", "heure_fin": "11:00"},
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        evenement.refresh_from_db()
    assert timezone.localtime(evenement.debut).date() == apres


def test_semaine_d_une_ressource_creneau_d_un_evenement_invisible(og_a, personne, client_de):
    """The minibus's week: the events the user may see by name, the others as "occupé" only."""
    from django.contrib.auth.models import Permission

    from usagers.models import ExceptionAccesUsager

    minibus = vehicule(og_a)
    transport = {
        "mode": "vehicule",
        "vehicule": minibus,
        "depart": instant(demain(), datetime.time(9)),
        "retour": instant(demain(), datetime.time(12)),
    }
    rdv(og_a, personne, heure=10, titre="Consultation ORL", transport=transport)
    with tenant_context(og_a.organisme.pk):  # this dossier is closed to the educator (DENY coordination)
        ExceptionAccesUsager.objects.create(
            organisme=og_a.organisme,
            user=og_a["educateur"],
            content_object=personne,
            permission=Permission.objects.get(
                codename="refuser_coordination", content_type__app_label="usagers"
            ),
        )
    url = reverse("coordination:ressource", args=[minibus.public_id]) + f"?jour={demain():%Y-%m-%d}"
    assert "Consultation ORL" in client_de(og_a["infirmier"]).get(url).content.decode()
    page = client_de(og_a["educateur"]).get(url).content.decode()
    assert "Consultation ORL" not in page and "MARCHAND" not in page and "09:00" in page and "occupé" in page


def test_la_page_d_une_occurrence_dit_les_dates_non_creees_de_sa_serie(og_a, personne, client_de):
    from coordination.models import Serie
    from coordination.recurrence import Regle

    premier = rdv(
        og_a, personne, heure=9, titre="Kiné", genre="rdv_interne", regle=Regle("hebdomadaire", 1, None)
    )
    with tenant_context(og_a.organisme.pk):
        Serie.objects.filter(pk=premier.serie_id).update(
            dates_sautees=[demain() + datetime.timedelta(days=371)]
        )
    page = client_de(og_a["infirmier"]).get(premier.get_absolute_url()).content.decode()
    assert "sans fin" in page
    assert (
        f"Non créées, le créneau était déjà pris : {demain() + datetime.timedelta(days=371):%d/%m/%Y}" in page
    )
