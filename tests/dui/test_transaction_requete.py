"""One transaction per request (dui.middleware.TenantMiddleware, without ATOMIC_REQUESTS): a view that
raises keeps nothing it wrote, whatever the response Django makes of the exception; a view that answers keeps
what it wrote; a refused page is still journaled."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.urls import path

from dui import urls as dui_urls
from dui.models import Etablissement, JournalAcces, TypeAcces
from dui.tenancy import tenant_context

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def _renommer(request, fin: str):
    etab = Etablissement.objects.get(organisme_id=request.user.organisme_id, nom="EHPAD A")
    etab.nom = "Renommé"
    etab.save(update_fields=["nom"])
    if fin == "404":
        raise Http404
    if fin == "403":
        raise PermissionDenied
    if fin == "500":
        raise RuntimeError("panne au milieu de la vue")
    return HttpResponse("ok")


urlpatterns = [path("essai/<str:fin>/", _renommer), *dui_urls.urlpatterns]


def _nom(tenant) -> str:
    with tenant_context(tenant.organisme.pk):
        return Etablissement.objects.get(pk=tenant.ehpad.pk).nom


@pytest.mark.parametrize("fin,statut", [("404", 404), ("403", 403), ("500", 500)])
def test_a_view_that_raises_keeps_nothing_it_wrote(og_a, client_de, fin, statut):
    client = client_de(og_a["directeur"])
    client.raise_request_exception = False
    nom = _nom(og_a)
    assert client.get(f"/essai/{fin}/").status_code == statut
    assert _nom(og_a) == nom
    if statut in (403, 404):  # the refusal itself is journaled, after the rollback
        with tenant_context(og_a.organisme.pk):
            assert JournalAcces.objects.filter(
                type_acces=TypeAcces.REFUS, chemin=f"/essai/{fin}/", professionnel=og_a["directeur"]
            ).exists()


def test_a_view_that_answers_keeps_what_it_wrote(og_a, client_de):
    client = client_de(og_a["directeur"])
    assert client.get("/essai/ok/").status_code == 200
    assert _nom(og_a) == "Renommé"


def test_the_session_only_says_under_which_organisme_to_load_the_professional(og_a, og_b, client_de):
    """The organisme written in the session at login is not trusted: a session that names another organisme
    loads nobody (the professional is not found under it), one that names none loads the professional
    through the authentication window and binds their own organisme."""
    from dui.tenancy import SESSION_ORGANISME

    client = client_de(og_a["directeur"])
    assert client.session[SESSION_ORGANISME] == og_a.organisme.pk  # written by the login
    assert client.get("/").status_code == 200
    session = client.session
    session[SESSION_ORGANISME] = og_b.organisme.pk
    session.save()
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/connexion/")

    client = client_de(og_b["directeur"])
    session = client.session
    del session[SESSION_ORGANISME]  # a session opened before the organisme was written in it
    session.save()
    page = client.get("/admission/")
    assert page.status_code == 200 and "EHPAD B" in page.content.decode()
