"""The partner directory where the teams use it: a person's intervenants taken from it, and the MSSanté
recipient picker."""

from django.urls import reverse

from annuaire.models import Partenaire
from dui.tenancy import tenant_context
from interop.models import Envoi
from soins.models import Intervenant
from tests.interop.conftest import document_pret
from tests.interop.conftest import personne as personne_qualifiee


def _cardiologue(tenant, specialite="Cardiologie", **kwargs):
    with tenant_context(tenant.organisme.pk):
        return Partenaire.objects.create(
            organisme=tenant.organisme,
            genre="medecin",
            nom="Dr Paul Cardio",
            specialite=specialite,
            rpps="10003456786",
            telephone="01 02 03 04 05",
            mssante="paul.cardio@medecin.mssante.fr",
            **kwargs,
        )


def test_un_intervenant_pris_dans_l_annuaire(og_a, og_b, personne, client_de):
    cardio = _cardiologue(og_a)
    autre = _cardiologue(og_b)
    client = client_de(og_a["infirmier"])
    url = reverse("soins:dossier", args=[personne.public_id])
    assert "Dr Paul Cardio (Cardiologie)" in client.get(url).content.decode()
    r = client.post(
        url,
        {"formulaire": "intervenant", "intervenant-role": "specialiste", "intervenant-partenaire": autre.pk},
    )
    assert "Sélectionnez un choix valide" in r.content.decode()
    r = client.post(url, {"formulaire": "intervenant", "intervenant-role": "specialiste"})
    assert "Indiquez le nom, ou choisissez l&#x27;intervenant dans l&#x27;annuaire." in r.content.decode()
    r = client.post(
        url,
        {
            "formulaire": "intervenant",
            "intervenant-role": "specialiste",
            "intervenant-nom": "Dr X",
            "intervenant-rpps": "10003456787",
        },
    )
    assert "Ce numéro RPPS est invalide" in r.content.decode()
    r = client.post(
        url,
        {"formulaire": "intervenant", "intervenant-role": "specialiste", "intervenant-partenaire": cardio.pk},
    )
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        intervenant = Intervenant.objects.get()
    assert (intervenant.partenaire_id, intervenant.nom, intervenant.rpps, intervenant.adresse_mss) == (
        cardio.pk,
        "Dr Paul Cardio",
        "10003456786",
        "paul.cardio@medecin.mssante.fr",
    )


def test_le_destinataire_mssante_choisi_dans_l_annuaire(
    og_a, og_b, personne, client_de, serveur_smtp, django_capture_on_commit_callbacks
):
    cardio = _cardiologue(og_a)
    _cardiologue(og_b, specialite="Autre organisme")
    with tenant_context(og_a.organisme.pk):
        Partenaire.objects.create(
            organisme=og_a.organisme,
            genre="hopital",
            nom="Ancien CHU",
            mssante="vieux@chu.mssante.fr",
            actif=False,
        )
    document = document_pret(og_a, personne_qualifiee(og_a))
    client = client_de(og_a["infirmier"])
    url = reverse("interop:document", args=[document.public_id])
    page = client.get(url).content.decode()
    assert '<optgroup label="Annuaire des partenaires">' in page
    assert "Dr Paul Cardio (Cardiologie) — paul.cardio@medecin.mssante.fr" in page
    assert "Autre organisme" not in page and "vieux@chu" not in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(url, {"formulaire": "mssante", "destinataire": cardio.mssante})
    assert r.status_code == 302
    with tenant_context(og_a.organisme.pk):
        envoi = Envoi.objects.get()
    assert envoi.libelle_destinataire == "Dr Paul Cardio (Cardiologie)"
    assert len(serveur_smtp.messages) == 1


def test_recherche_dans_l_annuaire_sans_accents(og_a, client_de):
    with tenant_context(og_a.organisme.pk):
        Partenaire.objects.create(
            organisme=og_a.organisme, genre="hopital", nom="Hôpital Nord", specialite="Gériatrie"
        )
        Partenaire.objects.create(organisme=og_a.organisme, genre="pharmacie", nom="Pharmacie du Marché")
    client = client_de(og_a["infirmier"])
    page = client.get(reverse("annuaire:liste"), {"q": "hopital geriatrie"}).content.decode()
    assert "Hôpital Nord" in page and "Pharmacie du Marché" not in page
    page = client.get(reverse("annuaire:liste"), {"q": "MARCHE"}).content.decode()
    assert "Pharmacie du Marché" in page and "Hôpital Nord" not in page
