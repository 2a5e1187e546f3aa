"""Refuse to run on a database role that would bypass row-level security.

- ``manage.py check --deploy --database default`` reports it (``bin/test`` runs it);
- in production, every new connection of the ``default`` alias is verified when it opens, so a web or
  worker process configured with the owner, a superuser or a BYPASSRLS role stops at once.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper


def role_problems(connection: BaseDatabaseWrapper) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        superuser, bypass = cursor.fetchone()
        cursor.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user"
        )
        owned = cursor.fetchone()[0]
    problems = []
    if superuser or bypass:
        problems.append(
            "Le rôle PostgreSQL de l'application est superutilisateur ou BYPASSRLS : "
            "la sécurité au niveau des lignes serait contournée."
        )
    if owned:
        problems.append(
            "Le rôle PostgreSQL de l'application possède des tables : il doit être distinct du rôle "
            "propriétaire qui applique les migrations."
        )
    return problems


def refuse_unsafe_connection(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """``connection_created`` handler (production only): fail closed on an unsafe role."""
    if connection.alias == "default" and settings.PRODUCTION:
        problems = role_problems(connection)
        if problems:
            connection.close()
            raise ImproperlyConfigured(" ".join(problems))


@register(Tags.database, deploy=True)
def check_app_role(app_configs: Any = None, databases: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not databases or "default" not in databases:
        return []
    try:
        problems = role_problems(connections["default"])
    except ImproperlyConfigured as exc:
        problems = [str(exc)]
    except Exception as exc:  # noqa: BLE001 - a check reports, it does not crash
        return [Warning(f"Rôle applicatif non vérifié : {exc}", id="dui.W001")]
    level = Error if settings.PRODUCTION else Warning
    return [level(problem, id="dui.E001") for problem in problems]


@register(Tags.security, deploy=True)
def check_proxies(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The client's address (lockout, journals) is only right if the reverse proxies are declared."""
    from .reseau import reseaux_de_confiance

    messages: list[CheckMessage] = []
    if settings.PRODUCTION and not getattr(settings, "DUI_PROXIES_DECLARES", False):
        messages.append(
            Error(
                "DUI_TRUSTED_PROXIES (réseaux des proxys inverses, ou « aucun ») ou DUI_TRUSTED_PROXY_COUNT "
                "doit être défini en production : sans lui, l'adresse de tous les clients est celle du "
                "proxy (verrouillage et journaux faussés).",
                id="dui.E002",
            )
        )
    try:
        reseaux_de_confiance(tuple(settings.DUI_TRUSTED_PROXIES))
    except ValueError as exc:
        messages.append(Error(f"DUI_TRUSTED_PROXIES invalide : {exc}", id="dui.E003"))
    return messages


SERVICES_NATIONAUX = ("DUI_INSI_URL", "DUI_DMP_URL", "DUI_FHIR_URL", "DUI_PSC_DISCOVERY_URL")


@register(Tags.security, deploy=True)
def check_transport_chiffre(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """National services are reached over TLS only in production (health data never in clear)."""
    if not settings.PRODUCTION:
        return []
    messages: list[CheckMessage] = []
    for nom in SERVICES_NATIONAUX:
        url = str(getattr(settings, nom, "") or "")
        if url and not url.lower().startswith("https://"):
            messages.append(
                Error(f"{nom} doit être une adresse https:// en production ({url}).", id="dui.E004")
            )
    if getattr(settings, "DUI_MSS_HOTE", "") and settings.DUI_MSS_TLS not in ("starttls", "tls"):
        messages.append(
            Error("DUI_MSS_TLS doit valoir « starttls » ou « tls » en production.", id="dui.E005")
        )
    return messages


@register(Tags.security, deploy=True)
def check_cles_chiffrement(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """The second-factor seeds are encrypted at rest: production needs its keys, and valid ones."""
    from cryptography.fernet import Fernet

    cles = list(getattr(settings, "DUI_CLES_CHIFFREMENT", []) or [])
    if settings.PRODUCTION and not cles:
        return [
            Error(
                "DUI_CLES_CHIFFREMENT (clés Fernet, la plus récente d'abord) doit être défini.", id="dui.E006"
            )
        ]
    for cle in cles:
        try:
            Fernet(cle.encode())
        except ValueError:
            return [Error("DUI_CLES_CHIFFREMENT contient une clé Fernet invalide.", id="dui.E007")]
    return []
