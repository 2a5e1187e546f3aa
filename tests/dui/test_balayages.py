"""The sweeps over every route that takes a parameter, built from real objects (tests/balayage.py):
- cross-tenant: A's owner gets past the lookup first (positive control), then B's professionals get 404;
- junk input: sent by the route's owner, so that it reaches the forms, never a 500.
Each sweep asserts how many routes it exercised past the lookup, and the last tests show each sweep failing on
an unguarded view and on a route it cannot reach (added in the test only)."""

from __future__ import annotations

import datetime

import pytest
from django.http import HttpResponse
from django.urls import include, path, reverse
from django.utils import timezone

from tests import balayage
from tests.dui.test_bad_input import JUNK
from tests.utils import named_routes

pytestmark = pytest.mark.django_db

DONNEES_B = {
    "action": "desactiver",
    "motif": "x" * 30,
    "avis": "justifie",
    "nom": "Piraté",
    "role": "medecin",
    "statut": "donne",
    "formulaire": "annuler",
}


@pytest.fixture
def objets_a(og_a, base_bdpm, codes_serafin):
    return balayage.objets(og_a, "SECRET-A")


def test_every_route_with_a_parameter_has_an_object_to_sweep():
    assert balayage.routes_non_couvertes(named_routes()) == [], "déclarez la route dans tests/balayage.py"
    assert set(balayage.ROUTES) <= {nom for nom, _ in named_routes()}  # no stale entry


def test_other_tenant_gets_404_where_the_owner_gets_through(og_a, og_b, objets_a, client_de):
    clients_b = [
        client_de(og_b.admin),
        client_de(og_b.dpo),
        client_de(og_b["medecin"]),
        client_de(og_b["infirmier"]),
        client_de(og_b["directeur"]),
        client_de(og_b["agent_administratif"]),
    ]
    problemes, atteintes = balayage.balayer_isolation(
        balayage.ROUTES,
        objets_a,
        lambda qui: client_de(balayage.utilisateur(og_a, qui)),
        clients_b,
        DONNEES_B,
    )
    print(f"balayage d'isolation : {atteintes} routes franchies par leur propriétaire, 6 professionnels de B")
    assert problemes == []
    assert atteintes == len(balayage.ROUTES)


def test_junk_input_reaches_every_form_and_never_answers_500(og_a, objets_a, client_de):
    problemes, atteintes = balayage.balayer_saisies(
        balayage.ROUTES, objets_a, lambda qui: client_de(balayage.utilisateur(og_a, qui)), JUNK
    )
    print(f"balayage des saisies absurdes : {atteintes} routes atteintes au-delà de la recherche")
    assert problemes == []
    assert atteintes == len(balayage.ROUTES)


# --- The sweeps catch what they are for ---------------------------------------------------------------


def _non_gardee(request, public_id):
    """A view that forgot its lookup: it answers whatever the id and the user."""
    return HttpResponse("ok")


def _introuvable(request, public_id):
    return HttpResponse(status=404)


def _fuyante(request):
    """A list that forgot its tenant: it reads the professionals through the login window."""
    from dui.tenancy import auth_lookup
    from habilitations.models import Professionnel

    with auth_lookup():
        return HttpResponse(", ".join(Professionnel.objects.values_list("nom", flat=True)))


urlpatterns = [
    path("essai/<uuid:public_id>/non-gardee/", _non_gardee, name="non_gardee"),
    path("essai/<uuid:public_id>/introuvable/", _introuvable, name="introuvable"),
    path("essai/fuyante/", _fuyante, name="fuyante"),
    path("", include("dui.urls")),
]


def test_the_sweeps_fail_on_an_unguarded_view_and_on_a_route_they_cannot_reach(
    og_a, og_b, client_de, settings
):
    settings.ROOT_URLCONF = __name__
    objets = {"usager": type("Objet", (), {"public_id": og_a.ehpad.public_id})()}
    routes = {
        "non_gardee": balayage.Route(lambda o: {"public_id": o["usager"].public_id}, "infirmier"),
        "introuvable": balayage.Route(lambda o: {"public_id": o["usager"].public_id}, "infirmier"),
    }
    proprietaire = lambda qui: client_de(og_a[qui])  # noqa: E731
    problemes, atteintes = balayage.balayer_isolation(
        routes, objets, proprietaire, [client_de(og_b["medecin"])], DONNEES_B
    )
    assert atteintes == 1
    assert problemes == [
        "non_gardee : l'autre organisme reçoit GET 200, POST 200",
        "introuvable : le propriétaire (infirmier) reçoit 404 — contrôle positif",
    ]
    problemes, atteintes = balayage.balayer_saisies(routes, objets, proprietaire, JUNK[:1])
    assert atteintes == 1
    assert problemes == ["introuvable : aucune requête n'a passé la recherche de l'objet (404 partout)"]
    assert balayage.routes_non_couvertes([("non_gardee", {"public_id"})]) == ["non_gardee"]
    # the rights sweep: an unguarded page opens to a role without the right
    balayage.GARDES["non_gardee"] = balayage._g("soins.voir")
    try:
        problemes, _ = balayage.balayer_habilitations(
            {"non_gardee": routes["non_gardee"]},
            balayage.GARDES,
            objets,
            {"educateur": (client_de(og_a["educateur"]), {"social.voir"})},
        )
    finally:
        del balayage.GARDES["non_gardee"]
    assert problemes == ["non_gardee : educateur reçoit 200, attendu refus"]
    # the leak sweep: a list that reads across tenants shows A's canary to B
    from dui.tenancy import tenant_context

    with tenant_context(og_a.organisme.pk):
        og_a["medecin"].__class__.objects.filter(pk=og_a["medecin"].pk).update(nom="CANARI-ESSAI")
    problemes, _ = balayage.balayer_fuites(
        [("/essai/fuyante/", None)], {"medecin": (client_de(og_b["medecin"]), set())}, "CANARI-ESSAI"
    )
    assert problemes == ["/essai/fuyante/ : le canari apparaît pour medecin"]


CANARI = "CANARI-A-7F3"


def test_nothing_of_a_leaks_into_any_page_of_b(og_a, og_b, base_bdpm, codes_serafin, client_de):
    """A canary at the start of every free-text field of every row of A; every page of B — every route
    without parameter and every route on B's own objects — opened by every professional of B: the
    canary never shows, and each page answers with a status that is not an error."""
    objets_a = balayage.objets(og_a, CANARI)
    objets_b = balayage.objets(og_b, "B")
    colonnes = balayage.planter_canari(og_a.organisme.pk, CANARI)
    assert colonnes > 150  # the canary is everywhere A has text
    from habilitations.roles import actions_du_role

    pages = [(reverse(nom), None) for nom, parametres in named_routes() if not parametres]
    pages = [(adresse, None) for adresse, _ in pages if not adresse.endswith("/deconnexion/")]
    pages += [(balayage.url_de_route(route, nom, objets_b), nom) for nom, route in balayage.ROUTES.items()]
    clients = {role: (client_de(pro), set(actions_du_role(role))) for role, pro in og_b.pros.items()}
    clients["admin"] = (client_de(og_b.admin), set())
    clients["dpo"] = (client_de(og_b.dpo), set())
    problemes, ouvertes = balayage.balayer_fuites(pages, clients, CANARI)
    print(
        f"balayage des fuites : {len(pages)} pages × {len(clients)} professionnels de B, "
        f"{ouvertes} réponses 200, {colonnes} colonnes de A marquées"
    )
    assert problemes == []
    assert ouvertes > 400  # the pages really opened, not a wall of 404
    # positive control: A's own pages do show the canary (it is in what pages render)
    agent_a = client_de(og_a["agent_administratif"])
    for nom in ("usagers:dossier", "usagers:entourage", "admission:demande"):
        assert (
            CANARI in agent_a.get(balayage.url_de_route(balayage.ROUTES[nom], nom, objets_a)).content.decode()
        )


def test_inside_one_organisme_every_role_is_refused_exactly_where_its_rights_say(og_a, objets_a, client_de):
    """Every route × every role of the organisme (habilitated in the EHPAD, where the objects are), the
    administrator and the DPO, a nurse of the other ESMS, and a nurse under a DENY of the soins category."""
    from django.contrib.auth.models import Permission

    from dui.tenancy import tenant_context
    from habilitations.models import ExceptionAccesEtablissement
    from habilitations.roles import actions_du_role
    from tests.factories import DispositifFactory, HabilitationFactory, ProfessionnelFactory

    assert set(balayage.GARDES) == set(balayage.ROUTES)
    clients = {role: (client_de(pro), set(actions_du_role(role))) for role, pro in og_a.pros.items()}
    clients["admin"] = (client_de(og_a.admin), set())
    clients["dpo"] = (client_de(og_a.dpo), set())
    debut = timezone.localdate() - datetime.timedelta(days=30)
    with tenant_context(og_a.organisme.pk):
        autre_esms = ProfessionnelFactory(organisme=og_a.organisme, email="infirmiere-mas@a.test")
        refus = ProfessionnelFactory(organisme=og_a.organisme, email="infirmiere-refus@a.test")
        for pro, etab in ((autre_esms, og_a.mas), (refus, og_a.ehpad)):
            DispositifFactory(professionnel=pro)
            HabilitationFactory(professionnel=pro, etablissement=etab, role="infirmier", debut=debut)
        ExceptionAccesEtablissement.objects.create(
            organisme=og_a.organisme,
            user=refus,
            content_object=og_a.ehpad,
            permission=Permission.objects.get(codename="refuser_soins", content_type__app_label="dui"),
        )
    clients["infirmiere de la MAS"] = (client_de(autre_esms), set())  # nothing in the EHPAD
    clients["infirmiere sous refus"] = (
        client_de(refus),
        {a for a in actions_du_role("infirmier") if not a.startswith("soins.")},
    )
    problemes, paires = balayage.balayer_habilitations(balayage.ROUTES, balayage.GARDES, objets_a, clients)
    print(f"balayage des habilitations : {paires} couples route × professionnel")
    assert problemes == []
    assert paires == len(balayage.ROUTES) * len(clients) == 152 * 15


def test_a_child_under_another_parent_is_404(og_a, objets_a, client_de):
    """A relative, an attachment, an INSi call or an access exception of Y, under X's URL."""
    from django.urls import reverse

    y = balayage.objets(og_a, "Y")
    agent, admin = client_de(og_a["agent_administratif"]), client_de(og_a.admin)
    x = objets_a
    croises = [
        (
            agent,
            reverse(
                "usagers:proche",
                kwargs={"public_id": x["usager"].public_id, "proche_id": y["proche"].public_id},
            ),
        ),
        (
            agent,
            reverse(
                "usagers:appel_insi",
                kwargs={"public_id": x["usager"].public_id, "appel_id": y["appel_insi"].public_id},
            ),
        ),
        (
            agent,
            reverse(
                "admission:piece",
                kwargs={"public_id": x["demande"].public_id, "piece_id": y["piece"].public_id},
            ),
        ),
    ]
    for client, adresse in croises:
        assert client.get(adresse).status_code == 404, adresse
    retirer = reverse(
        "administration:exception_retirer",
        kwargs={"public_id": x["professionnel"].public_id, "exception_id": y["exception"].pk},
    )
    assert admin.post(retirer).status_code == 404
    # and each under its own parent goes through (the same URLs are not 404 for another reason)
    for nom in ("usagers:proche", "usagers:appel_insi", "admission:piece"):
        assert agent.get(balayage.url_de_route(balayage.ROUTES[nom], nom, y)).status_code != 404, nom
