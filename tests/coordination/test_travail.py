"""The transport sheet (a PDF made by a worker, asked for from the ESMS's page and by the evening beat), the
home page rubric and the unit pages' section."""

import datetime

from django.urls import reverse

from coordination.forms import instant
from coordination.models import FeuilleTransports
from documents.pdf import texte_du_pdf
from dui.tenancy import tenant_context

from .conftest import demain, rdv, vehicule


def _avec_taxi(og_a, personne):
    return rdv(
        og_a,
        personne,
        heure=10,
        a_jeun=True,
        lieu="CHU Nord",
        transport={
            "mode": "taxi",
            "depart": instant(demain(), datetime.time(9)),
            "retour": instant(demain(), datetime.time(12)),
        },
    )


def test_feuille_de_transports_produite_par_le_worker(
    og_a, og_b, personne, client_de, django_capture_on_commit_callbacks
):
    _avec_taxi(og_a, personne)
    client = client_de(og_a["aide_soignant"])
    url = reverse("coordination:demander_feuille", args=[og_a.ehpad.public_id]) + f"?jour={demain():%Y-%m-%d}"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    with tenant_context(og_a.organisme.pk):
        feuille = FeuilleTransports.objects.get()
    assert feuille.statut == "prete" and feuille.nb_transports == 1
    r = client.get(reverse("coordination:feuille", args=[feuille.public_id]))
    assert r["Content-Type"] == "application/pdf"
    texte = texte_du_pdf(b"".join(r.streaming_content))
    assert "MARCHAND Odette" in texte and "Taxi" in texte and "CHU Nord" in texte and "À jeun" in texte
    page = client.get(
        reverse("coordination:etablissement", args=[og_a.ehpad.public_id]) + f"?jour={demain():%Y-%m-%d}"
    )
    assert reverse("coordination:feuille", args=[feuille.public_id]) in page.content.decode()
    for autre in (client_de(og_b["directeur"]), client_de(og_a["pharmacien"])):
        assert autre.get(reverse("coordination:feuille", args=[feuille.public_id])).status_code == 404
        assert autre.post(url).status_code == 404


def test_le_beat_prepare_les_feuilles_de_demain_une_par_esms(
    og_a, og_b, personne, django_capture_on_commit_callbacks
):
    from coordination.tasks import preparer_demain_tous

    _avec_taxi(og_a, personne)
    for _ in range(2):  # idempotent: the same row, produced again
        with django_capture_on_commit_callbacks(execute=True):
            preparer_demain_tous.delay()
    with tenant_context(og_a.organisme.pk):
        (feuille,) = FeuilleTransports.objects.all()
        assert (feuille.etablissement, feuille.jour, feuille.statut) == (og_a.ehpad, demain(), "prete")
    with tenant_context(og_b.organisme.pk):
        assert not FeuilleTransports.objects.exists()


def test_accueil_et_pages_d_unite_montrent_l_agenda(og_a, og_b, personne, client_de):
    _avec_taxi(og_a, personne)
    aujourd_hui = datetime.date.today()
    rdv(
        og_a,
        personne,
        heure=0,
        jour=aujourd_hui,
        titre="Prise de sang",
        genre="rdv_interne",
        professionnels=[og_a["infirmier"]],
    )
    accueil = client_de(og_a["infirmier"]).get(reverse("accueil")).content.decode()
    assert "Demain 09:00 — Consultation cardiologie · MARCHAND Odette (taxi à 09:00, à jeun)" in accueil
    assert "Aujourd&#x27;hui 00:00 — Prise de sang" in accueil
    assert (
        "Consultation cardiologie"
        not in client_de(og_b["infirmier"]).get(reverse("accueil")).content.decode()
    )
    assert (
        "Consultation cardiologie"
        not in client_de(og_a["pharmacien"]).get(reverse("accueil")).content.decode()
    )
    journee = (
        client_de(og_a["aide_soignant"])
        .get(reverse("soins:journee", args=[og_a.unite.public_id]))
        .content.decode()
    )
    assert 'data-testid="section-agenda"' in journee and "Prise de sang" in journee
    releve = (
        client_de(og_a["infirmier"])
        .get(reverse("soins:releve", args=[og_a.unite.public_id]))
        .content.decode()
    )
    assert "Prise de sang" in releve


def test_vehicule_inconnu_d_un_autre_esms_refuse(og_a, personne):
    import pytest
    from django.core.exceptions import ValidationError

    from coordination.models import Ressource

    with tenant_context(og_a.organisme.pk):
        ailleurs = Ressource.objects.create(
            organisme=og_a.organisme, etablissement=og_a.mas, genre="vehicule", nom="Van MAS"
        )
    with pytest.raises(ValidationError, match="n'appartient pas"):
        rdv(
            og_a,
            personne,
            transport={
                "mode": "vehicule",
                "vehicule": ailleurs,
                "depart": instant(demain(), datetime.time(9)),
                "retour": instant(demain(), datetime.time(12)),
            },
        )
    vehicule(og_a)


def test_le_beat_produit_le_dlu_des_rendez_vous_de_demain_une_fois(
    og_a, personne, client_de, django_capture_on_commit_callbacks
):
    from coordination.tasks import preparer_demain_tous
    from documents.models import Document

    evenement = rdv(og_a, personne, heure=10, dlu_a_imprimer=True)  # planned by the nurse
    rdv(og_a, personne, heure=15, dlu_a_imprimer=True, titre="Second rendez-vous")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            preparer_demain_tous.delay()
    with tenant_context(og_a.organisme.pk):
        (dlu,) = Document.objects.filter(type_document="dlu")
    assert dlu.statut == "disponible" and dlu.auteur_id == og_a["infirmier"].pk
    page = client_de(og_a["infirmier"]).get(evenement.get_absolute_url()).content.decode()
    assert 'data-testid="dlu"' in page
    # an educator may not read it: the link is not there for her
    assert (
        'data-testid="dlu"'
        not in client_de(og_a["educateur"]).get(evenement.get_absolute_url()).content.decode()
    )


def test_sans_droit_medical_le_planificateur_ne_fait_pas_produire_de_dlu(
    og_a, personne, django_capture_on_commit_callbacks
):
    from coordination.tasks import preparer_demain_tous
    from documents.models import Document

    rdv(og_a, personne, heure=10, dlu_a_imprimer=True, auteur="educateur")
    with django_capture_on_commit_callbacks(execute=True):
        preparer_demain_tous.delay()
    with tenant_context(og_a.organisme.pk):
        assert not Document.objects.filter(type_document="dlu").exists()
