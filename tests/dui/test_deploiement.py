"""``manage.py check --deploy`` refuses a production configuration that would be unsafe."""

from __future__ import annotations

import pytest

from dui import checks


@pytest.fixture
def production(settings):
    settings.PRODUCTION = True
    settings.DUI_PROXIES_DECLARES = True
    settings.DUI_TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.DUI_INSI_URL = "https://insi.example/insi"
    settings.DUI_DMP_URL = "https://dmp.example/dmp"
    settings.DUI_FHIR_URL = "https://fhir.example/fhir"
    settings.DUI_MSS_HOTE = "mss.example"
    settings.DUI_MSS_TLS = "starttls"
    return settings


def _ids(messages):
    return sorted(m.id for m in messages)


def test_a_complete_production_configuration_passes(production):
    assert checks.check_proxies() == [] and checks.check_transport_chiffre() == []


def test_unset_trusted_proxies_fail_in_production(production):
    production.DUI_PROXIES_DECLARES = False
    assert _ids(checks.check_proxies()) == ["dui.E002"]
    production.PRODUCTION = False
    assert checks.check_proxies() == []


def test_invalid_proxy_networks_are_reported(production):
    production.DUI_TRUSTED_PROXIES = ["10.0.0.0/33"]
    assert _ids(checks.check_proxies()) == ["dui.E003"]


@pytest.mark.parametrize("nom", ["DUI_INSI_URL", "DUI_DMP_URL", "DUI_FHIR_URL", "DUI_PSC_DISCOVERY_URL"])
def test_plain_http_national_services_fail_in_production(production, nom):
    setattr(production, nom, "http://service.example/point")
    messages = checks.check_transport_chiffre()
    assert _ids(messages) == ["dui.E004"] and nom in messages[0].msg


def test_clients_refuse_clear_text_in_production(production):
    from dui.transport import EchecDefinitif, HttpTransport
    from interop.mssante import SmtpTransport

    with pytest.raises(EchecDefinitif, match="non chiffrée"):
        HttpTransport("http://dmp.example/dmp", service="Le DMP")
    HttpTransport("https://dmp.example/dmp", service="Le DMP")
    with pytest.raises(EchecDefinitif, match="exige TLS"):
        SmtpTransport("mss.example", 25, tls="aucun")


def test_the_settings_read_the_proxies_from_the_environment(monkeypatch):
    import subprocess
    import sys

    code = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'dui.settings'); "
        "from django.conf import settings; "
        "print(settings.DUI_PROXIES_DECLARES, settings.DUI_TRUSTED_PROXIES)"
    )
    for valeur, attendu in (
        ("10.0.0.0/24,10.0.1.0/24", "True ['10.0.0.0/24', '10.0.1.0/24']"),
        ("aucun", "True []"),
    ):
        monkeypatch.setenv("DUI_TRUSTED_PROXIES", valeur)
        sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        assert sortie.stdout.strip() == attendu
    monkeypatch.delenv("DUI_TRUSTED_PROXIES")
    monkeypatch.delenv("DUI_TRUSTED_PROXY_COUNT", raising=False)
    sortie = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert sortie.stdout.strip() == "False []"
