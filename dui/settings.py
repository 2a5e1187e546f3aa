"""Settings of the DUI, read from the environment (12-factor) with safe development defaults.

Every secret comes from the environment; nothing sensitive is committed. ``DUI_ENV=production`` switches
on the hardened settings checked by ``manage.py check --deploy``.
"""

from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab

# generic Django classes (ModelForm[Model], QuerySet[Model]…) may be subscripted at run time, as mypy reads them
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
LOCAL_DIR = BASE_DIR / ".local"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DUI_ENV = env.str("DUI_ENV", default="development")
PRODUCTION = DUI_ENV == "production"
DEBUG = env.bool("DJANGO_DEBUG", default=not PRODUCTION)

# A development key is generated per checkout (never committed); production must provide one.
if PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
else:
    _key_file = LOCAL_DIR / "secret_key"
    if "DJANGO_SECRET_KEY" in env:
        SECRET_KEY = env.str("DJANGO_SECRET_KEY")
    else:
        import secrets

        LOCAL_DIR.mkdir(exist_ok=True)
        if not _key_file.exists():
            _key_file.write_text(secrets.token_urlsafe(64))
        SECRET_KEY = _key_file.read_text().strip()

# Keys of the secrets encrypted at rest (dui.chiffrement): Fernet keys, the newest first.
if "DUI_CLES_CHIFFREMENT" in env or PRODUCTION:
    DUI_CLES_CHIFFREMENT = env.list("DUI_CLES_CHIFFREMENT", default=[])
else:
    _cle_file = LOCAL_DIR / "cle_chiffrement"
    if not _cle_file.exists():
        import base64
        import secrets as _secrets

        LOCAL_DIR.mkdir(exist_ok=True)
        _cle_file.write_text(base64.urlsafe_b64encode(_secrets.token_bytes(32)).decode())
    DUI_CLES_CHIFFREMENT = [_cle_file.read_text().strip()]

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "guardian",
    "simple_history",
    "dui",
    "django.contrib.postgres",
    "habilitations",
    "administration",
    "usagers",
    "admission",
    "documents",
    "administratif",
    "accompagnement",
    "soins",
    "medicaments",
    "annuaire",  # the partner directory (référencé par l'agenda, les intervenants, la messagerie)
    "coordination",  # agenda, rendez-vous, activités, transports, tournées, réunions
    "interop",
    "relation",  # the space of the persons and relatives (portal accounts), secure messages
    "pilotage",  # director's dashboards and indicators (reads the domains' tables), coupes Pathos
    "rgpd",  # right of access, retention and archiving, DPO tools (reads every app through the model graph)
    "accueil",  # the shell: home page, access journal pages, demo (imports every app, imported by none)
]

MIDDLEWARE = [
    "dui.middleware.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "dui.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # the request's transaction and tenant, before anything loads the professional (issue 16)
    "dui.middleware.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "habilitations.middleware.SecondFactorRequiredMiddleware",
    "habilitations.middleware.InactivityTimeoutMiddleware",
    "habilitations.middleware.PasswordChangeRequiredMiddleware",
    # /espace/ only: the portal account of the persons and relatives (never request.user), its tenant
    "relation.portail.PortailMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "dui.urls"
WSGI_APPLICATION = "dui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "habilitations.context_processors.dui",
            ],
        },
    },
]

# --- Databases ------------------------------------------------------------------------------------
# ``default`` is the application role: not the owner of the tables, not superuser, no BYPASSRLS, so
# PostgreSQL row-level security applies to every query. ``owner`` owns the schema and runs migrations.
# The defaults match the project-local cluster started by ``bin/run`` / ``bin/test`` (.local/pg).
_default_db = "postgres://dui_app:dui_app@127.0.0.1:54329/dui"


def _base(variable: str, defaut: str) -> dict[str, Any]:
    """A database from its URL, libpq's multi-host form included (dui/bases.py: a pg_auto_failover cluster)."""
    from dui.bases import config_multi_hotes, multi_hotes

    url = env.str(variable, default=defaut)
    return config_multi_hotes(url) if multi_hotes(url) else env.db_url_config(url)


DATABASES = {
    "default": _base("DATABASE_URL", _default_db),
    # in production only the migrate job is given DATABASE_OWNER_URL; elsewhere "owner" is the app role
    "owner": _base(
        "DATABASE_OWNER_URL",
        env.str("DATABASE_URL", default=_default_db)
        if PRODUCTION
        else env.str("DATABASE_URL", default=_default_db).replace("dui_app:dui_app", "dui_owner:dui_owner"),
    ),
}
# A read replica for the heavy reads (dashboards: dui/replique.py), when one is configured
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replique"] = _base("DATABASE_REPLICA_URL", "")
DUI_LECTURE_REPLIQUE = "replique" in DATABASES
DATABASE_ROUTERS = ["dui.replique.RouteurReplique"]
for _alias, _db in DATABASES.items():
    _db["ENGINE"] = "django.db.backends.postgresql"
    _db["ATOMIC_REQUESTS"] = False  # the request's transaction is dui.middleware.TenantMiddleware's
    _db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60 if PRODUCTION else 0)
    _db["CONN_HEALTH_CHECKS"] = True
    _db.setdefault("OPTIONS", {})["application_name"] = f"dui-{_alias}"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------------------------------
AUTH_USER_MODEL = "habilitations.Professionnel"
AUTHENTICATION_BACKENDS = ["habilitations.auth.EmailBackend"]
LOGIN_URL = "habilitations:connexion"
LOGIN_REDIRECT_URL = "accueil"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "nom", "prenom")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "habilitations.validators.CommonPasswordCoreValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Reverse proxies in front of the app (dui/reseau.py): their networks (CIDR, comma-separated), or their
# number; "aucun" when the app is reached directly. Production refuses to start without one of them.
DUI_TRUSTED_PROXIES = [
    p for p in env.list("DUI_TRUSTED_PROXIES", default=[]) if p.strip().lower() not in ("aucun", "none")
]
DUI_TRUSTED_PROXY_COUNT = env.int("DUI_TRUSTED_PROXY_COUNT", default=0)
DUI_PROXIES_DECLARES = "DUI_TRUSTED_PROXIES" in env or "DUI_TRUSTED_PROXY_COUNT" in env
# Lockout: password and second-factor failures are counted per account (the resolved account, or the
# normalised identifier when none matches), across all addresses.
DUI_LOCKOUT_ATTEMPTS = env.int("DUI_LOCKOUT_ATTEMPTS", default=5)
DUI_LOCKOUT_IP_ATTEMPTS = env.int("DUI_LOCKOUT_IP_ATTEMPTS", default=30)
DUI_LOCKOUT_MINUTES = env.int("DUI_LOCKOUT_MINUTES", default=15)
# Beyond DUI_LOCKOUT_IP_ATTEMPTS failures from one address (any account, known or not), each new attempt
# from it waits a delay that doubles up to DUI_LOCKOUT_IP_DELAY_MAX seconds: spraying is slowed, nobody
# is locked out by failures on other accounts.
DUI_LOCKOUT_IP_DELAY_MAX = env.int("DUI_LOCKOUT_IP_DELAY_MAX", default=60)
DUI_INACTIVITY_MINUTES = env.int("DUI_INACTIVITY_MINUTES", default=30)
DUI_SESSION_MAX_HOURS = env.int("DUI_SESSION_MAX_HOURS", default=12)  # absolute, whatever the activity
# a password or an enrolment code set by an administrator is valid this long, for one use
DUI_MOT_DE_PASSE_TEMPORAIRE_HEURES = env.int("DUI_MOT_DE_PASSE_TEMPORAIRE_HEURES", default=72)
DUI_CODE_ENROLEMENT_HEURES = env.int("DUI_CODE_ENROLEMENT_HEURES", default=72)
DUI_BREAK_GLASS_HOURS = env.int("DUI_BREAK_GLASS_HOURS", default=4)
# Shared care tablets (issue 23, item 7; decision 0021): a professional who logged in fully on an enrolled
# tablet takes it back with their PIN during DUI_POSTE_DUREE_HEURES (bounded by DUI_SESSION_MAX_HOURS);
# DUI_POSTE_PIN_ESSAIS wrong PINs close that shift on the tablet; idle DUI_POSTE_INACTIVITE_MINUTES, the
# tablet locks back to its user picker; the tablet's token lives DUI_POSTE_JETON_JOURS (revocable).
DUI_POSTE_DUREE_HEURES = env.int("DUI_POSTE_DUREE_HEURES", default=12)
DUI_POSTE_PIN_ESSAIS = env.int("DUI_POSTE_PIN_ESSAIS", default=3)
DUI_POSTE_PIN_LONGUEUR = env.int("DUI_POSTE_PIN_LONGUEUR", default=4)  # minimum number of digits
DUI_POSTE_INACTIVITE_MINUTES = env.int("DUI_POSTE_INACTIVITE_MINUTES", default=5)
DUI_POSTE_JETON_JOURS = env.int("DUI_POSTE_JETON_JOURS", default=365)
DUI_TOTP_ISSUER = env.str("DUI_TOTP_ISSUER", default="DUI")
# hits of the duplicate check per professional and hour before the creation of dossiers is suspended
DUI_DOUBLONS_PAR_HEURE = env.int("DUI_DOUBLONS_PAR_HEURE", default=20)
# a right-of-access ZIP is downloadable once, during this many days
DUI_DROIT_ACCES_JOURS = env.int("DUI_DROIT_ACCES_JOURS", default=7)
# Validations of the plan (care tasks, doses): their author undoes one within this window; afterwards a nurse
# corrects it with a reason (issue 23). Always a traced correction: the row's history keeps each step.
DUI_FENETRE_CORRECTION_MINUTES = env.int("DUI_FENETRE_CORRECTION_MINUTES", default=15)
# A "si besoin" dose's effect (relief, pain 0-10) is re-evaluated this long after it was given: shown as due on
# the unit's relève and day plan, and in the round (issue 23, item 4).
DUI_REEVALUATION_SI_BESOIN_MINUTES = env.int("DUI_REEVALUATION_SI_BESOIN_MINUTES", default=60)
# Timing guards: validating an occurrence more than N minutes before (avance) or after (retard) its time asks
# for a confirmation, recorded with the row. Keys: "dose", "soin" (every care task) or a type of care task
# ("pansement"…) that overrides "soin"; a null value disables that side. JSON in the environment.
DUI_GARDES_HORAIRES = {
    "dose": {"avance": 60, "retard": 120},
    "soin": {"avance": 60, "retard": None},
    **env.json("DUI_GARDES_HORAIRES", default={}),
}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "accueil.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Oversized posts are refused with a 400 (French error page), never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DUI_MAX_POST_BYTES", default=2 * 1024 * 1024)
DUI_MAX_PIECE_JOINTE = env.int("DUI_MAX_PIECE_JOINTE", default=10 * 1024 * 1024)
# every request body, files included (dui.middleware.RequestBodyLimitMiddleware): larger ones get a 413
DUI_MAX_REQUEST_BYTES = env.int("DUI_MAX_REQUEST_BYTES", default=25 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# one file of the dossier (a scan, a report): counted while it streams in (dui.uploads)
DUI_MAX_DOCUMENT = env.int("DUI_MAX_DOCUMENT", default=20 * 1024 * 1024)
# The address users reach the DUI at, for the links of e-mails sent by workers (invitations of the space of the
# persons and relatives); an invitation link is valid this long, once.
DUI_URL_PUBLIQUE = env.str("DUI_URL_PUBLIQUE", default="http://127.0.0.1:8000")
DUI_PORTAIL_INVITATION_HEURES = env.int("DUI_PORTAIL_INVITATION_HEURES", default=72)
# Outgoing e-mail (notifications without content, invitations, login codes): an SMTP URL in production
# (smtp+tls://user:password@host:587), the console in development.
vars().update(env.email_url("DUI_EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DUI_EMAIL_EXPEDITEUR", default="DUI <ne-pas-repondre@dui.invalid>")
FILE_UPLOAD_HANDLERS = [
    "dui.uploads.LimiteParFichier",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# --- Internationalisation -------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
MEDIA_ROOT = env.path("DUI_MEDIA_ROOT", default=str(BASE_DIR / "media"))

# --- Celery ---------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = Path(env.str("DUI_BROKER_DIR", default=str(LOCAL_DIR / "broker")))
    (_broker_dir / "queue").mkdir(parents=True, exist_ok=True)
    (_broker_dir / "processed").mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
# the policy checks that a right named on a dossier row is of the row's declared category (tests, development)
DUI_VERIFIER_CATEGORIES = env.bool("DUI_VERIFIER_CATEGORIES", default=DEBUG)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# the queue of tasks sent without one (a deployment may run workers per queue; the worker-kill test uses its own)
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# a request does not wait long for a broker that is gone: two quick retries when publishing, then the
# failure is logged (dui.queue: robust on_commit) and the periodic tasks take over
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.1,
    "interval_step": 0.5,
    "interval_max": 1,
}
# Redis with Sentinel (several Redis, a master elected by the Sentinels): CELERY_BROKER_URL=
# "sentinel://s1:26379;sentinel://s2:26379;sentinel://s3:26379" and DUI_REDIS_MASTER=<name of the master>
if CELERY_BROKER_URL.startswith("sentinel://"):
    CELERY_BROKER_TRANSPORT_OPTIONS["master_name"] = env.str("DUI_REDIS_MASTER", default="dui")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict[str, Any] = {  # periodic tasks of the domain apps (reminders, relays)
    "rappels-bilans-pp": {"task": "accompagnement.rappels_bilans", "schedule": 6 * 3600},
    "plans-administration": {"task": "medicaments.etendre_plans", "schedule": 6 * 3600},
    "relais-envois": {"task": "interop.relayer_tous", "schedule": 60},
    "releve-mssante": {"task": "interop.relever_tous", "schedule": 300},
    "purge-droit-acces": {"task": "rgpd.purger_tous", "schedule": 3600},
    "archivage-dossiers": {"task": "rgpd.archiver_tous", "schedule": 24 * 3600},
    # tomorrow's transport sheets, every evening at 18:00 (Paris): produced again if a transport changes
    "feuilles-transports": {
        "task": "coordination.preparer_demain_tous",
        "schedule": crontab(hour=18, minute=0),
    },
    # the series without end keep a year of occurrences ahead (coordination, decision 0012)
    "prolonger-series": {
        "task": "coordination.prolonger_series_tous",
        "schedule": crontab(hour=2, minute=30),
    },
    "entretien-documents": {  # retention proposals for the DPO, lost indexations
        "task": "documents.entretien_tous",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- INSi (identity retrieval). Default: the local INSi test server started by bin/run ------------
DUI_INSI_URL = env.str("DUI_INSI_URL", default="" if PRODUCTION else "http://127.0.0.1:8089/insi")
DUI_INSI_TIMEOUT = env.float("DUI_INSI_TIMEOUT", default=10.0)
DUI_INSI_CERT = env.str("DUI_INSI_CERT", default="")
DUI_INSI_KEY = env.str("DUI_INSI_KEY", default="")
DUI_INSI_CA = env.str("DUI_INSI_CA", default="")
DUI_INSI_MAX_TENTATIVES = env.int("DUI_INSI_MAX_TENTATIVES", default=5)

# Pro Santé Connect (habilitations.psc, decision 0017). In development the demo's local test provider
# (``python -m habilitations.psc_serveur_test``, started by bin/run); in production nothing until the ANS
# has issued the client id and secret (or certificate) of the service: README, "Pro Santé Connect".
_PSC_LOCAL = "http://127.0.0.1:8092/auth/realms/esante-wallet/.well-known/openid-configuration"
DUI_PSC_DISCOVERY_URL = env.str("DUI_PSC_DISCOVERY_URL", default="" if PRODUCTION else _PSC_LOCAL)
DUI_PSC_CLIENT_ID = env.str("DUI_PSC_CLIENT_ID", default="" if PRODUCTION else "dui-demo")
DUI_PSC_CLIENT_SECRET = env.str(
    "DUI_PSC_CLIENT_SECRET", default="" if PRODUCTION else "secret-de-demonstration-psc"
)
DUI_PSC_CERT = env.str("DUI_PSC_CERT", default="")  # client certificate (mutual TLS), when the ANS issued one
DUI_PSC_KEY = env.str("DUI_PSC_KEY", default="")
DUI_PSC_CA = env.str("DUI_PSC_CA", default="")
DUI_PSC_SCOPES = env.str("DUI_PSC_SCOPES", default="openid scope_all")
DUI_PSC_ACR = env.str("DUI_PSC_ACR", default="eidas1")  # asked for (acr_values)
DUI_PSC_ACR_ACCEPTES = env.list("DUI_PSC_ACR_ACCEPTES", default=["eidas1", "eidas2", "eidas3"])
DUI_PSC_REDIRECT_URI = env.str(
    "DUI_PSC_REDIRECT_URI", default=""
)  # default: this server's /connexion/psc/retour/
DUI_PSC_TIMEOUT = env.float("DUI_PSC_TIMEOUT", default=10.0)

# --- National exchanges (interop): outbox relay, DMP, MSSanté, FHIR ---------------------------------
# Default (development, demo): the local test servers started by bin/run (python -m interop.serveurs_test).
# Redis visibility timeout (CELERY_BROKER_TRANSPORT_OPTIONS above, 1 h): a task taken by a worker that dies
# before acknowledging it is delivered again after that delay; the relay does not depend on it, since beat
# queues a relay every minute and every exchange lives in the database until its result is written.
DUI_ENVOI_MAX_TENTATIVES = env.int("DUI_ENVOI_MAX_TENTATIVES", default=8)
DUI_ENVOI_DELAI_BASE = env.int("DUI_ENVOI_DELAI_BASE", default=30)  # seconds, doubled at each failure
DUI_ENVOI_DELAI_MAX = env.int("DUI_ENVOI_DELAI_MAX", default=3600)  # cap of the backoff
DUI_ENVOI_TIMEOUT = env.float("DUI_ENVOI_TIMEOUT", default=30.0)
DUI_RELAIS_LOT = env.int("DUI_RELAIS_LOT", default=200)  # exchanges per relay run
DUI_OID_SOURCE = env.str("DUI_OID_SOURCE", default="2.25.300227385745093412436540347452307392839")
_local_tls = LOCAL_DIR / "interop"
DUI_DMP_URL = env.str("DUI_DMP_URL", default="" if PRODUCTION else "https://127.0.0.1:8443/dmp")
DUI_DMP_CERT = env.str("DUI_DMP_CERT", default="" if PRODUCTION else str(_local_tls / "client.pem"))
DUI_DMP_KEY = env.str("DUI_DMP_KEY", default="" if PRODUCTION else str(_local_tls / "client.key"))
DUI_DMP_CA = env.str("DUI_DMP_CA", default="" if PRODUCTION else str(_local_tls / "ca.pem"))
# the VIHF of each DMP request is signed with the structure's certificate (« certificat de cachet »); by default
# the TLS client certificate above
DUI_DMP_VIHF_CERT = env.str("DUI_DMP_VIHF_CERT", default="")
DUI_DMP_VIHF_KEY = env.str("DUI_DMP_VIHF_KEY", default="")
DUI_DMP_HOMOLOGATION = env.str(
    "DUI_DMP_HOMOLOGATION", default="" if PRODUCTION else "DUI-DEMO"
)  # n° d'homologation
DUI_MSS_HOTE = env.str("DUI_MSS_HOTE", default="" if PRODUCTION else "127.0.0.1")
DUI_MSS_PORT = env.int("DUI_MSS_PORT", default=587 if PRODUCTION else 8025)
DUI_MSS_TLS = env.str("DUI_MSS_TLS", default="starttls")  # starttls | tls
DUI_MSS_UTILISATEUR = env.str("DUI_MSS_UTILISATEUR", default="")
DUI_MSS_MOT_DE_PASSE = env.str("DUI_MSS_MOT_DE_PASSE", default="")
DUI_MSS_CERT = env.str("DUI_MSS_CERT", default="")
DUI_MSS_KEY = env.str("DUI_MSS_KEY", default="")
DUI_MSS_CA = env.str("DUI_MSS_CA", default="" if PRODUCTION else str(_local_tls / "ca.pem"))
DUI_MSS_EXPEDITEUR = env.str("DUI_MSS_EXPEDITEUR", default="secretariat@ehpad-demo.mssante.fr")
# MSSanté inbox: the operator's IMAP server (implicit TLS), each ESMS's application mailbox opened with the
# ESMS's certificate (SASL EXTERNAL) — by default the DMP client certificate in development
DUI_MSS_IMAP_HOTE = env.str("DUI_MSS_IMAP_HOTE", default="" if PRODUCTION else "127.0.0.1")
DUI_MSS_IMAP_PORT = env.int("DUI_MSS_IMAP_PORT", default=993 if PRODUCTION else 8993)
DUI_MSS_IMAP_CERT = env.str("DUI_MSS_IMAP_CERT", default="" if PRODUCTION else str(_local_tls / "client.pem"))
DUI_MSS_IMAP_KEY = env.str("DUI_MSS_IMAP_KEY", default="" if PRODUCTION else str(_local_tls / "client.key"))
DUI_MSS_IMAP_LOT = env.int("DUI_MSS_IMAP_LOT", default=100)  # messages read per mailbox and run
DUI_FHIR_URL = env.str("DUI_FHIR_URL", default="" if PRODUCTION else "http://127.0.0.1:8090/fhir")
DUI_FHIR_CERT = env.str("DUI_FHIR_CERT", default="")
DUI_FHIR_KEY = env.str("DUI_FHIR_KEY", default="")
DUI_FHIR_CA = env.str("DUI_FHIR_CA", default="")

# --- Guardian (object-level exceptions) -----------------------------------------------------------
ANONYMOUS_USER_NAME = None  # no shared anonymous row: it would belong to no organisme
GUARDIAN_MONKEY_PATCH_USER = False
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]  # object permissions are read by habilitations.policy, in SQL

# --- Logging --------------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DUI_LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
