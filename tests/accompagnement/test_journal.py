"""Journal de suivi: observations with a confidentiality level that habilitations enforce, in lists and
on every page."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accompagnement import selectors, services
from accompagnement.models import Observation
from dui.tenancy import tenant_context
from tests.accompagnement.conftest import projet_en_co_construction
from tests.factories import DispositifFactory, HabilitationFactory, ProfessionnelFactory
from tests.utils import requetes_comptees

pytestmark = pytest.mark.django_db


def _ecrire(tenant, usager, auteur, texte, confidentialite="equipe", **extra):
    with tenant_context(tenant.organisme.pk):
        return services.do_ecrire_observation(
            auteur,
            Observation(
                usager=usager,
                etablissement=tenant.ehpad,
                categorie="educatif",
                texte=texte,
                confidentialite=confidentialite,
                **extra,
            ),
        )


def test_confidentiality_levels_are_enforced(og_a, og_b, resident_a, client_de):
    with tenant_context(og_a.organisme.pk):
        autre_edu = ProfessionnelFactory(organisme=og_a.organisme)
        DispositifFactory(professionnel=autre_edu)
        HabilitationFactory(
            professionnel=autre_edu,
            etablissement=og_a.ehpad,
            role="educateur",
            debut=datetime.date(2025, 1, 1),
        )
    edu = og_a["educateur"]
    _ecrire(og_a, resident_a, edu, "Atelier cuisine réussi")
    _ecrire(og_a, resident_a, og_a["psychologue"], "Douleurs au genou signalées pendant la marche", "soins")
    _ecrire(og_a, resident_a, edu, "Confidences sur un conflit familial", "restreinte")
    url = f"/accompagnement/dossier/{resident_a.public_id}/journal/"

    def lus(user):
        body = client_de(user).get(url).content.decode()
        return {t for t in ("Atelier cuisine", "Douleurs au genou", "conflit familial") if t in body}

    assert lus(edu) == {"Atelier cuisine", "conflit familial"}  # own restricted note, no health note
    assert lus(autre_edu) == {"Atelier cuisine"}  # another educator: team level only
    assert lus(og_a["infirmier"]) == {"Atelier cuisine", "Douleurs au genou"}
    assert lus(og_a["directeur"]) == {"Atelier cuisine", "Douleurs au genou", "conflit familial"}
    assert lus(og_a["chef_service"]) == {"Atelier cuisine", "Douleurs au genou", "conflit familial"}
    for user in (og_a["aide_soignant"], og_a["agent_administratif"], og_b["educateur"], og_b["directeur"]):
        assert client_de(user).get(url).status_code == 404
    # An educator cannot reserve a note to the care team they are not part of.
    with pytest.raises(Exception, match="dont vous ne faites pas partie"):
        _ecrire(og_a, resident_a, edu, "x", "soins")


def test_write_from_the_page_linked_to_an_objective_bad_input_kept(og_a, resident_a, client_de):
    pp = projet_en_co_construction(og_a, resident_a)
    with tenant_context(og_a.organisme.pk):
        objectif = pp.objectifs.get()
    client = client_de(og_a["educateur"])
    url = f"/accompagnement/dossier/{resident_a.public_id}/journal/"
    maintenant = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        url,
        {
            "etablissement": og_a.ehpad.public_id,
            "date_observation": maintenant,
            "categorie": "educatif",
            "texte": "",
            "confidentialite": "equipe",
        },
    )
    assert r.status_code == 200 and "Ce champ est obligatoire" in r.content.decode()
    futur = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    r = client.post(
        url,
        {
            "etablissement": og_a.ehpad.public_id,
            "date_observation": futur,
            "categorie": "educatif",
            "texte": "Promenade au parc",
            "confidentialite": "equipe",
        },
    )
    assert "dans le futur" in r.content.decode() and "Promenade au parc" in r.content.decode()
    r = client.post(
        url,
        {
            "etablissement": og_a.ehpad.public_id,
            "date_observation": maintenant,
            "categorie": "educatif",
            "texte": "Promenade au parc",
            "confidentialite": "equipe",
            "objectif": objectif.public_id,
        },
    )
    assert r.status_code == 302
    body = client.get(url).content.decode()
    assert "Promenade au parc" in body and "Objectif : Marcher jusqu" in body


def test_journal_page_query_count_is_constant(og_a, resident_a, client_de):
    client = client_de(og_a["educateur"])
    url = f"/accompagnement/dossier/{resident_a.public_id}/journal/"
    _ecrire(og_a, resident_a, og_a["educateur"], "Première")

    def compte():
        with requetes_comptees() as ctx:
            client.get(url)
        return len(ctx.captured_queries)

    avant = compte()
    for i in range(10):
        _ecrire(og_a, resident_a, og_a["psychologue"] if i % 2 else og_a["educateur"], f"Note {i}")
    assert compte() == avant
    with tenant_context(og_a.organisme.pk):
        assert selectors.journal_du_dossier(og_a["educateur"], resident_a).count() == 11
