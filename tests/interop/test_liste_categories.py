"""Issue 15, item 8: the exchanges list hides the title and the actions of a document whose data category
the user cannot read (an educator sees that a DLU was sent, not its title, and cannot retry it)."""

from __future__ import annotations

import pytest

from dui.tenancy import tenant_context
from interop import services
from interop.models import Envoi, StatutEnvoi
from tests.interop.conftest import document_pret, personne

pytestmark = pytest.mark.django_db


def test_a_document_of_an_unreadable_category_is_listed_without_title_nor_actions(og_a, og_b, client_de):
    usager = personne(og_a)
    document = document_pret(og_a, usager, titre="DLU confidentiel de nuit", categorie="soins")
    with tenant_context(og_a.organisme.pk):
        envoi = services.do_demander_envoi_mssante(og_a["medecin"], document, "dr.riviere@medecin.mssante.fr")
        Envoi.objects.filter(pk=envoi.pk).update(statut=StatutEnvoi.ECHEC)
    for url in ("/echanges/", f"/echanges/dossier/{usager.public_id}/"):
        infirmier = client_de(og_a["infirmier"]).get(url).content.decode()
        assert (
            "DLU confidentiel de nuit" in infirmier and f"/echanges/{envoi.public_id}/relancer/" in infirmier
        )
        educateur = client_de(og_a["educateur"]).get(url).content.decode()
        assert 'data-testid="envoi"' in educateur and 'data-testid="document-masque"' in educateur, url
        assert (
            "DLU confidentiel de nuit" not in educateur
            and f"/echanges/{envoi.public_id}/relancer/" not in educateur
        )
        assert "DLU confidentiel" not in client_de(og_b["infirmier"]).get("/echanges/").content.decode()
