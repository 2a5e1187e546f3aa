"""Shared fixtures: two organismes gestionnaires with a professional of each role, logged-in clients
that went through the real second factor, and the test database created by the owner role."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from urllib.parse import quote

import factory.random
import pyotp
import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.utils import timezone

from dui.tenancy import auth_lookup, tenant_context
from habilitations.roles import Role
from interop import serveurs_test
from tests.factories import (
    DispositifFactory,
    EtablissementFactory,
    HabilitationFactory,
    OrganismeFactory,
    ProfessionnelFactory,
    UniteFactory,
)

PASSWORD = "Un-mot-de-passe-solide-42"


@pytest.fixture(scope="session", autouse=True)
def journal_sql():
    """With DUI_JOURNAL_SQL=<file>: every SQL statement the tests run, once each, written to that file at the end
    (``manage.py rapport_citus --requetes <file>`` looks there for joins between tenants' tables that do not go
    through organisme_id). Off by default: nothing is recorded."""
    chemin = os.environ.get("DUI_JOURNAL_SQL")
    if not chemin:
        yield
        return
    from django.db.backends import utils

    vues: set[str] = set()
    origine = utils.CursorWrapper.execute

    def execute(self, sql, params=None):
        vues.add(str(sql))
        return origine(self, sql, params)

    utils.CursorWrapper.execute = execute
    try:
        yield
    finally:
        utils.CursorWrapper.execute = origine
        with open(f"{chemin}.{os.getpid()}", "w", encoding="utf-8") as f:  # one file per xdist worker
            f.write("\n;;\n".join(sorted(vues)))


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    from dui.testing import setup_test_databases, teardown_test_databases

    keepdb = django_db_keepdb and not django_db_createdb
    old_name = connections["owner"].settings_dict["NAME"]
    with django_db_blocker.unblock():
        setup_test_databases(keepdb=keepdb)
    yield
    with django_db_blocker.unblock():
        teardown_test_databases(old_name, keepdb=django_db_keepdb)


@pytest.fixture
def codes_serafin(db):
    """The SERAFIN-PH codes loaded by the migration. A transactional test flushes every table, reference
    data included: they are then reloaded, committed through a separate owner connection (the app role
    may only read them), and visible to this test's transaction from its next statement on."""
    from accompagnement.models import CodeSerafin

    charger_codes_serafin()
    return CodeSerafin.objects.all()


def charger_codes_serafin() -> None:
    from accompagnement.models import CodeSerafin

    if not CodeSerafin.objects.exists():
        import psycopg
        from django.db import connections

        from accompagnement import serafin

        reglages = connections["owner"].settings_dict
        with psycopg.connect(
            dbname=connections["default"].settings_dict["NAME"],
            user=reglages["USER"],
            password=reglages["PASSWORD"],
            host=reglages["HOST"],
            port=reglages["PORT"],
            autocommit=True,
        ) as conn:
            for jeu, (fichier, oid) in serafin.JEUX.items():
                for code, libelle in serafin.lire(serafin.DOSSIER / fichier):
                    conn.execute(
                        "INSERT INTO accompagnement_codeserafin (jeu, oid, version, code, libelle, parent_code, "
                        "niveau, actif) VALUES (%s, %s, %s, %s, %s, %s, %s, true) ON CONFLICT DO NOTHING",
                        [
                            jeu,
                            oid,
                            serafin.VERSION,
                            code,
                            libelle,
                            code.rsplit(".", 1)[0] if "." in code else "",
                            code.count(".") + 1,
                        ],
                    )


def url_de(alias: str) -> str:
    """The database URL of a connection of the tests (the test database), for a child process."""
    r = connections[alias].settings_dict
    return (
        f"postgres://{quote(r['USER'])}:{quote(r['PASSWORD'] or '')}@{r['HOST'] or '127.0.0.1'}"
        f":{r['PORT'] or 5432}/{r['NAME']}"
    )


def charger_bdpm() -> None:
    """Load the shipped extract into the test database, committed by the owner role. A test's own
    connections may not reach ``owner`` (and are inside the test's transaction): the real command runs in a
    child process, as an administrator would run it."""
    url = url_de("owner")
    env = {
        **os.environ,
        "DATABASE_OWNER_URL": url,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "dui.settings",
    }
    resultat = subprocess.run(
        [sys.executable, "manage.py", "importer_bdpm", "--sans-progression"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resultat.returncode == 0, resultat.stderr[-2000:]


@pytest.fixture
def base_bdpm(db):
    """The shipped BDPM extract (a transactional test flushes every table: it is then reloaded)."""
    from medicaments.models import Specialite

    if not Specialite.objects.filter(cis="60234100").exists():
        charger_bdpm()
    return Specialite.objects


@pytest.fixture(autouse=True)
def _faker_reproductible(request):
    """Faker's names and dates (factories) depend on the test only, not on the order or the worker that
    runs it: a failure replays."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def _taches_comme_dans_un_worker(monkeypatch):
    """Tasks run eagerly in the tests, but as a worker would run them: their arguments go through the JSON
    serialiser of the broker (a model instance or a date object fails here as it would in production), and
    they start outside the caller's tenant (a task must set its own — ``TenantTask`` does — or it sees no
    row), which the test's ambient tenant would otherwise hide."""
    taches_comme_dans_un_worker(monkeypatch)


def taches_comme_dans_un_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    from celery.app.task import Task
    from kombu.serialization import dumps, loads

    from dui import tenancy

    original = Task.apply

    def apply(self, args=None, kwargs=None, *autres, **options):
        type_contenu, encodage, corps = dumps([list(args or ()), dict(kwargs or {})], serializer="json")
        args, kwargs = loads(corps, type_contenu, encodage)
        appelant = tenancy.current_organisme_id()
        hors_locataire = appelant is not None and connections["default"].in_atomic_block
        if hors_locataire:
            tenancy.activate(None)
        try:
            return original(self, args, kwargs, *autres, **options)
        finally:
            if hors_locataire:
                tenancy.activate(appelant)

    monkeypatch.setattr(Task, "apply", apply)


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(scope="module")
def demo_du_module(django_db_setup, django_db_blocker, dossier_certificats, tmp_path_factory):
    """The demo (about 10 s to build), built once for the tests of a module that only read it, inside a
    transaction rolled back after the module's last test: each test runs in a savepoint of it
    (pytest-django's ``db`` nests its atomic blocks; its non-transactional tests never close the
    connection) and must start from ``copier_les_fichiers_de_la_demo``. Built as the ``demo`` fixtures
    of the other modules build it: test servers up, tasks run as a worker runs them, on-commit work
    done."""
    from django.db import transaction
    from django.test import TestCase
    from django.test.utils import override_settings

    from accueil.demo import construire_demo
    from medicaments.models import Specialite

    media = tmp_path_factory.mktemp("demo-media")
    with django_db_blocker.unblock():
        charger_codes_serafin()
        if not Specialite.objects.filter(cis="60234100").exists():
            charger_bdpm()
        dmp = serveurs_test.ServeurDmpTest(dossier_certificats).demarrer()
        smtp = serveurs_test.ServeurSmtpTest(dossier_certificats).demarrer()
        bloc = transaction.atomic(using="default")
        bloc.__enter__()
        try:
            with (
                override_settings(
                    MEDIA_ROOT=str(media),
                    DUI_DMP_URL=dmp.url,
                    DUI_DMP_CERT=str(dossier_certificats / "client.pem"),
                    DUI_DMP_KEY=str(dossier_certificats / "client.key"),
                    DUI_DMP_CA=str(dossier_certificats / "ca.pem"),
                    DUI_MSS_HOTE="127.0.0.1",
                    DUI_MSS_PORT=smtp.port,
                    DUI_MSS_TLS="starttls",
                    DUI_MSS_CA=str(dossier_certificats / "ca.pem"),
                    DUI_MSS_EXPEDITEUR="secretariat@ehpad-a.mssante.fr",
                ),
                pytest.MonkeyPatch.context() as monkeypatch,
                TestCase.captureOnCommitCallbacks(using="default", execute=True),
            ):
                taches_comme_dans_un_worker(monkeypatch)
                factory.random.reseed_random("demo")
                assert construire_demo() is True
        except BaseException:
            transaction.set_rollback(True, using="default")
            bloc.__exit__(None, None, None)
            raise
        finally:
            dmp.arreter()
            smtp.arreter()
    yield media
    with django_db_blocker.unblock():
        transaction.set_rollback(True, using="default")
        bloc.__exit__(None, None, None)


def copier_les_fichiers_de_la_demo(media, tmp_path, settings) -> None:
    """A test on the module's demo starts with its own copy of the demo's files."""
    import shutil

    settings.MEDIA_ROOT = str(shutil.copytree(media, tmp_path / "media-demo"))


class Tenant:
    """One organisme with three ESMS and a professional per role (habilitation in the EHPAD)."""

    def __init__(self, label: str):
        self.organisme = OrganismeFactory(raison_sociale=f"Organisme {label}")
        with tenant_context(self.organisme.pk):
            self.ehpad = EtablissementFactory(
                organisme=self.organisme, nom=f"EHPAD {label}", categorie="EHPAD"
            )
            self.mas = EtablissementFactory(organisme=self.organisme, nom=f"MAS {label}", categorie="MAS")
            self.unite = UniteFactory(etablissement=self.ehpad, nom=f"Pavillon {label}")
            self.pros = {}
            debut = timezone.localdate() - datetime.timedelta(days=30)
            for role in Role:
                pro = ProfessionnelFactory(
                    organisme=self.organisme, email=f"{role.value}@{label.lower()}.test"
                )
                DispositifFactory(professionnel=pro)
                HabilitationFactory(professionnel=pro, etablissement=self.ehpad, role=role, debut=debut)
                self.pros[role.value] = pro
            self.admin = ProfessionnelFactory(
                organisme=self.organisme, email=f"admin@{label.lower()}.test", est_admin_organisme=True
            )
            DispositifFactory(professionnel=self.admin)
            self.dpo = ProfessionnelFactory(
                organisme=self.organisme, email=f"dpo@{label.lower()}.test", est_dpo=True
            )
            DispositifFactory(professionnel=self.dpo)

    def __getitem__(self, role: str):
        return self.pros[role]


@pytest.fixture
def og_a(db):
    return Tenant("A")


@pytest.fixture
def og_b(db):
    return Tenant("B")


def code_totp(user, decalage: int = 0) -> str:
    with auth_lookup():
        secret = user.dispositif_totp.secret_clair
    totp = pyotp.TOTP(secret)
    return totp.at(timezone.now() + datetime.timedelta(seconds=30 * decalage))


def csrf_token(client: Client, url: str = "/connexion/") -> str:
    """The CSRF token a browser would have after loading ``url``."""
    client.get(url)
    return client.cookies["csrftoken"].value


def connecter(client: Client, user, password: str = PASSWORD) -> Client:
    """Log in through the real views (CSRF included): password, then the TOTP second factor."""
    token = csrf_token(client)
    r = client.post("/connexion/", {"email": user.email, "password": password, "csrfmiddlewaretoken": token})
    assert r.status_code == 302, r.content.decode()[:500]
    r = client.post("/connexion/second-facteur/", {"code": code_totp(user), "csrfmiddlewaretoken": token})
    assert r.status_code == 302, r.content.decode()[:500]
    return client


@pytest.fixture
def client_de():
    """client_de(user) → a Client logged in as user (the same one on each call within a test: a TOTP
    code cannot be used twice); ``csrf=True`` gives a client that enforces CSRF checks."""
    clients: dict = {}

    def _make(user, csrf: bool = False) -> Client:
        if (user.pk, csrf) not in clients:
            clients[(user.pk, csrf)] = connecter(Client(enforce_csrf_checks=csrf), user)
        return clients[(user.pk, csrf)]

    return _make


# --- local servers of the national exchanges (interop): the settings point at them ----------------------


@pytest.fixture(scope="session")
def dossier_certificats(tmp_path_factory):
    return serveurs_test.certificats(tmp_path_factory.mktemp("interop-tls"))


@pytest.fixture
def serveur_dmp(dossier_certificats, settings):
    serveur = serveurs_test.ServeurDmpTest(dossier_certificats).demarrer()
    settings.DUI_DMP_URL = serveur.url
    settings.DUI_DMP_CERT = str(dossier_certificats / "client.pem")
    settings.DUI_DMP_KEY = str(dossier_certificats / "client.key")
    settings.DUI_DMP_CA = str(dossier_certificats / "ca.pem")
    yield serveur
    serveur.arreter()


@pytest.fixture
def serveur_smtp(dossier_certificats, settings):
    serveur = serveurs_test.ServeurSmtpTest(dossier_certificats).demarrer()
    settings.DUI_MSS_HOTE, settings.DUI_MSS_PORT, settings.DUI_MSS_TLS = "127.0.0.1", serveur.port, "starttls"
    settings.DUI_MSS_CA = str(dossier_certificats / "ca.pem")
    settings.DUI_MSS_EXPEDITEUR = "secretariat@ehpad-a.mssante.fr"
    yield serveur
    serveur.arreter()


@pytest.fixture
def serveur_imap(dossier_certificats, settings):
    """The operator's IMAP server (MSSanté inbox), implicit TLS and client certificate required."""
    from interop.serveur_imap_test import ServeurImapTest

    serveur = ServeurImapTest(dossier_certificats).demarrer()
    settings.DUI_MSS_IMAP_HOTE, settings.DUI_MSS_IMAP_PORT = "127.0.0.1", serveur.port
    settings.DUI_MSS_IMAP_CERT = str(dossier_certificats / "client.pem")
    settings.DUI_MSS_IMAP_KEY = str(dossier_certificats / "client.key")
    settings.DUI_MSS_CA = str(dossier_certificats / "ca.pem")
    yield serveur
    serveur.arreter()


@pytest.fixture
def serveur_fhir(settings):
    serveur = serveurs_test.ServeurFhirTest().demarrer()
    settings.DUI_FHIR_URL = serveur.url
    yield serveur
    serveur.arreter()


@pytest.fixture
def fournisseur_psc(settings):
    """The local Pro Santé Connect provider, and the settings pointing at it (a new client per test: its
    keys are new)."""
    from habilitations import psc
    from habilitations.psc_serveur_test import ServeurPscTest

    serveur = ServeurPscTest().demarrer()
    settings.DUI_PSC_DISCOVERY_URL = serveur.discovery_url
    settings.DUI_PSC_CLIENT_ID = serveur.client_id
    settings.DUI_PSC_CLIENT_SECRET = serveur.client_secret
    psc.oublier_les_clients()
    yield serveur
    psc.oublier_les_clients()
    serveur.arreter()
