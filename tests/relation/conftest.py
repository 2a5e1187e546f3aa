"""The space of the persons and relatives in tests: a person of the EHPAD and her daughter invited by the
educator through the real views, who creates her account from the e-mail's link and logs in with a code
received by e-mail (the fallback factor) or a TOTP."""

from __future__ import annotations

import datetime
import re

import pyotp
import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from dui.tenancy import auth_lookup, tenant_context
from relation import services
from relation.models import CompteProche
from tests.conftest import PASSWORD
from tests.soins.conftest import creer_resident
from usagers.models import MesureProtection, Proche


@pytest.fixture(autouse=True)
def _courriels_sans_attendre_la_validation(monkeypatch):
    """The test's transaction never commits: what the services queue on commit (the e-mails) is queued at
    once here, through the real task and Django's test mailbox."""
    from dui import queue

    def tout_de_suite(nom, *args, **kwargs):
        queue.tache_nommee(nom).apply_async(args=args, kwargs=kwargs)

    monkeypatch.setattr(queue, "enqueue_on_commit", tout_de_suite)
    monkeypatch.setattr(services, "enqueue_on_commit", tout_de_suite)


def proche(tenant, usager, nom="Martin", prenom="Claire", **champs):
    with tenant_context(tenant.organisme.pk):
        return Proche.objects.create(
            organisme=tenant.organisme, usager=usager, nom=nom, prenom=prenom, lien="enfant", **champs
        )


def tutelle(tenant, usager, fin=None):
    with tenant_context(tenant.organisme.pk):
        return MesureProtection.objects.create(
            organisme=tenant.organisme,
            usager=usager,
            type_mesure="habilitation_familiale",
            mandataire="Claire Martin",
            date_debut=timezone.localdate() - datetime.timedelta(days=100),
            date_fin=fin,
        )


def lien_de_l_invitation(destinataire: str) -> str:
    for m in reversed(mail.outbox):
        if destinataire in m.to and "/espace/invitation/" in m.body:
            return (
                re.search(r"http://[^\s]+/espace/invitation/[^\s/]+/", m.body)
                .group(0)
                .split("127.0.0.1:8000")[1]
            )
    raise AssertionError(f"aucune invitation pour {destinataire}")


def dernier_code(destinataire: str) -> str:
    for m in reversed(mail.outbox):
        if destinataire in m.to and "code de connexion" in m.subject:
            return re.search(r"(\d{6})", m.subject).group(1)
    raise AssertionError(f"aucun code pour {destinataire}")


def inviter(tenant, usager, email, qualite="proche", le_proche=None, **rubriques):
    with tenant_context(tenant.organisme.pk):
        return services.do_inviter(
            tenant["educateur"],
            usager,
            tenant.ehpad,
            qualite=qualite,
            proche=le_proche,
            email=email,
            accord_personne_le=timezone.localdate() if qualite == "proche" else None,
            accord_modalite="oralement" if qualite == "proche" else "",
            **rubriques,
        )


def creer_compte(email: str, prenom="Claire", nom="Martin") -> CompteProche:
    """Accept the invitation sent to ``email`` through the pages, enrol the e-mail code: a logged-in Client."""
    client = Client()
    lien = lien_de_l_invitation(email)
    r = client.post(lien, {"prenom": prenom, "nom": nom, "password": PASSWORD, "password2": PASSWORD})
    assert r.status_code == 302, r.content.decode()[:800]
    client.post("/espace/securite/", {"second_facteur": "courriel"})
    r = client.post("/espace/securite/", {"code": dernier_code(email)})
    assert r.status_code == 302 and r.url == "/espace/", r.content.decode()[:800]
    client.compte = compte_de(email)
    return client


def compte_de(email: str) -> CompteProche:
    with auth_lookup():
        return CompteProche.objects.get(email=email)


def connecter_portail(email: str, password: str = PASSWORD) -> Client:
    client = Client()
    r = client.post("/espace/connexion/", {"email": email, "password": password})
    assert r.status_code == 302, r.content.decode()[:800]
    compte = compte_de(email)
    if compte.second_facteur == "totp":
        code = pyotp.TOTP(compte.secret_clair).now()
    else:
        code = dernier_code(email)
    r = client.post("/espace/connexion/code/", {"code": code})
    assert r.status_code == 302, r.content.decode()[:800]
    client.compte = compte
    return client


def espace_de_claire(tenant, **rubriques):
    """A resident, her daughter Claire (access as a relative, with her agreement), logged in."""
    usager = creer_resident(
        tenant, nom_naissance="Lefort", premier_prenom="Jeanne", prenoms_naissance=["Jeanne"]
    )
    claire = proche(tenant, usager)
    email = f"claire.martin.{tenant.organisme.pk}@exemple.test"
    acces = inviter(tenant, usager, email, le_proche=claire, **rubriques)
    client = creer_compte(email)
    return usager, acces, client


def texte(reponse) -> str:
    """The page as a person reads it (entities unescaped: « n'est » rather than « n&#x27;est »)."""
    import html

    return html.unescape(reponse.content.decode())


def espace_dans(tenant, etablissement, email: str):
    """A person accompanied in ``etablissement`` and a relative's account and access made directly (another ESMS
    than the educator's), logged in."""
    from django.contrib.auth.hashers import make_password

    from relation.models import AccesPortail
    from tests.factories import SejourFactory, UsagerFactory

    with tenant_context(tenant.organisme.pk):
        usager = UsagerFactory(organisme=tenant.organisme)
        SejourFactory(usager=usager, etablissement=etablissement, date_entree=timezone.localdate())
        le_proche = Proche.objects.create(
            organisme=tenant.organisme, usager=usager, nom="Autre", lien="enfant"
        )
        compte = CompteProche.objects.create(
            organisme=tenant.organisme, email=email, prenom="Autre", nom="Proche", password=make_password(PASSWORD),
            second_facteur="courriel",
        )  # fmt: skip
        acces = AccesPortail.objects.create(
            organisme=tenant.organisme, usager=usager, etablissement=etablissement, proche=le_proche, compte=compte,
            qualite="proche", statut="actif", accord_personne_le=timezone.localdate(), accorde_par=tenant.admin,
        )  # fmt: skip
    return usager, acces, connecter_portail(email)
