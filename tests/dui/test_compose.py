"""The production stack (docker-compose.yml): the owner role, the broker and gunicorn stay private."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import yaml

from dui.settings import BASE_DIR

PILE = yaml.safe_load(Path(BASE_DIR / "docker-compose.yml").read_text())
SERVICES = PILE["services"]
APPLICATION = ("web", "worker", "beat")


def test_only_the_migrate_job_gets_the_owner_credentials():
    """Defect 5: every app container received DATABASE_OWNER_URL (the owner can disable forced RLS and
    drop the journals' append-only triggers)."""
    for nom in APPLICATION:
        env = SERVICES[nom]["environment"]
        assert "DATABASE_OWNER_URL" not in env and "DATABASE_ADMIN_URL" not in env, nom
        assert "dui_owner" not in str(env) and "POSTGRES_PASSWORD" not in str(env), nom
        assert env["DATABASE_URL"].startswith("postgres://dui_app:"), nom
    assert SERVICES["migrate"]["environment"]["DATABASE_OWNER_URL"].startswith("postgres://dui_owner:")


def test_redis_requires_a_password_and_the_apps_use_it():
    assert "--requirepass" in SERVICES["redis"]["command"]
    for nom in APPLICATION:
        assert SERVICES[nom]["environment"]["CELERY_BROKER_URL"].startswith("redis://:${REDIS_PASSWORD")


def test_gunicorn_is_not_published_and_trusts_only_the_proxy():
    web = SERVICES["web"]
    assert "ports" not in web and "ports" not in SERVICES["postgres"] and "ports" not in SERVICES["redis"]
    publies = [nom for nom, service in SERVICES.items() if service.get("ports")]
    assert publies == ["proxy"]
    adresse_proxy = SERVICES["proxy"]["networks"]["interne"]["ipv4_address"]
    commande = web["command"]
    assert commande[commande.index("--forwarded-allow-ips") + 1] == adresse_proxy
    reseaux = web["environment"]["DUI_TRUSTED_PROXIES"].split(",")
    assert [ipaddress.ip_network(r) for r in reseaux] == [ipaddress.ip_network(f"{adresse_proxy}/32")]
