"""Junk input on every page, as every kind of user: a clear answer (form errors, 400, 403, 404, 405),
never a 500."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import reverse

from tests.utils import named_routes

pytestmark = pytest.mark.django_db

JUNK = [
    {},
    {
        "email": "a\x00b@exemple.test",
        "password": "\x00",
        "code": "\x00\x00",
        "nom": "\x00",
        "motif": "x\x00" * 15,
        "q": "\x00",
        "medicament": "S:\x00",
        "indication": "\x00",
    },
    {
        "email": "x" * 5000,
        "nom": "é" * 5000,
        "finess_geographique": "2A1234567",
        "categorie": "INCONNUE",
        "capacite": "-3",
        "debut": "2026-02-31",
        "fin": "31/12/2026",
        "role": "pape",
        "etablissement": "pas-un-uuid",
        "categorie_": "medical",
        "nature": "supprimer",
        "du": "hier",
        "au": "9999-99-99",
        "objet_id": "' OR 1=1 --",
        "avis": "peut-être",
        "professionnel": str(uuid.uuid4()),
        "action": "detruire",
        "type": "<script>",
        "page": "-1",
    },
    {
        "etablissement": str(uuid.uuid4()),
        "role": "medecin",
        "debut": "2026-01-01",
        "capacite": "1e9",
        "rpps": "abc",
        "profession": "astronaute",
        "mot_de_passe": "a",
        "page": "99999",
        "formulaire": "prescrire",
        "medicament": "S:99999999",
        "dose": "1e999",
        "jour": "2026-99-99",
        "creneau": "<x>",
        "semaine": "lundi",
        "statut": "donne",
        "code": "3400935955838",
        "quantite": "-5",
        "article": "x",
        "type_mouvement": "reception",
        "moments": "minuit",
        "duree_jours": "0",
        "reporte_a": "25:00",
    },
    {"formulaire": "dmp", "masquage": ["TOUT_CACHER", "\x00"], "suite": "//evil.example/"},
    {
        "formulaire": "mssante",
        "adresse": "@mssante.fr",
        "destinataire": "x" * 300,
        "depuis": "2026-13-01",
        "statut": "perdu",
        "suite": "javascript:alert(1)",
    },
]


# On a route with an object, these ids mostly end at the lookup (an unknown id, an object of another type):
# the junk that targets forms there is sent by each route's owner on a real object instead
# (tests/dui/test_balayages.py, test_junk_input_reaches_every_form_and_never_answers_500). The lookup path
# gets the empty request, NUL bytes and the overlong / malformed values.
JUNK_RECHERCHE = JUNK[:3]


def _urls(og_a):
    """(url, junk sets): every route without a parameter with every junk set; every route with one under four
    ids with the junk of the lookup path."""
    ids = [uuid.uuid4(), og_a.ehpad.public_id, og_a["medecin"].public_id, og_a.unite.public_id]
    for name, params in named_routes():
        if not params:
            yield reverse(name), JUNK
            continue
        for public_id in ids:
            kwargs = {"public_id": public_id}
            if "objet_type" in params:
                kwargs["objet_type"] = "etablissement"
            if "exception_id" in params:
                kwargs["exception_id"] = 999999
            if "proche_id" in params:
                kwargs["proche_id"] = uuid.uuid4()
            if "etablissement_id" in params:
                kwargs = {
                    "etablissement_id": public_id,
                    **({"public_id": public_id} if "public_id" in params else {}),
                }
            if "piece_id" in params:
                kwargs["piece_id"] = uuid.uuid4()
            if "appel_id" in params:
                kwargs["appel_id"] = uuid.uuid4()
            if "grille_id" in params:
                kwargs["grille_id"] = uuid.uuid4()
            if "jeton" in params:  # an invitation link's token: junk, a UUID, another route's id
                kwargs["jeton"] = str(public_id)
            if "rang" in params:  # an attachment's rank in a received message
                kwargs["rang"] = 1
            if "format_" in params:  # a file of a report: a format that exists
                kwargs["format_"] = "pdf"
            if "secret" in params:  # a calendar feed's secret: junk, a UUID, or another route's id
                kwargs["secret"] = str(public_id)
            for autre in params:  # any other object of the route (a droit, a contrat, a séjour…): unknown
                if autre.endswith("_id") and autre not in kwargs:
                    kwargs[autre] = uuid.uuid4()
            yield reverse(name, kwargs={k: v for k, v in kwargs.items() if k in params}), JUNK_RECHERCHE


@pytest.mark.parametrize("who", ["anonyme", "admin", "dpo", "medecin"])
def test_no_page_answers_500_to_junk(og_a, client_de, who):
    client = (
        Client()
        if who == "anonyme"
        else client_de({"admin": og_a.admin, "dpo": og_a.dpo}.get(who) or og_a[who])
    )
    for url, jeux in _urls(og_a):
        if who != "medecin" and jeux is JUNK_RECHERCHE:
            # without any habilitation on the objects, every id ends at the lookup (or at the login page):
            # the empty request and NUL bytes; the overlong values go through the médecin's lookups
            jeux = JUNK_RECHERCHE[:2]
        for data in jeux:
            if url.endswith("/deconnexion/"):
                continue
            for response in (client.get(url, data), client.post(url, data)):
                assert response.status_code < 500, (url, data, response.status_code)


@pytest.mark.parametrize("client_kind", ["anonyme", "connecte"])
def test_a_body_over_the_global_limit_gets_a_french_413_and_nothing_is_read(
    og_a, client_de, settings, client_kind
):
    """Issue 15, item 8: one limit on every request body, files included."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    settings.DUI_MAX_REQUEST_BYTES = 64 * 1024
    client = Client() if client_kind == "anonyme" else client_de(og_a["infirmier"])
    gros = SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + b"0" * 100 * 1024, content_type="application/pdf")
    r = client.post("/connexion/", {"email": "x@y.z", "fichier": gros})
    assert r.status_code == 413 and "Envoi trop volumineux" in r.content.decode()
    assert "la limite de 64 Ko par envoi" in r.content.decode()
    r = client.post("/connexion/", {"email": "x@y.z"}, HTTP_TRANSFER_ENCODING="chunked")
    assert r.status_code == 411
    assert client.post("/connexion/", {"email": "x@y.z", "password": "p"}).status_code not in (411, 413)
