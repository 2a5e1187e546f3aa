"""The demo's test servers start as a command (what bin/run does) and answer on their ports."""

from __future__ import annotations

import smtplib
import subprocess
import sys
import time

from django.conf import settings

from interop.serveurs_test import port_libre


def test_servers_start_as_a_command(tmp_path):
    ports = [port_libre(), port_libre(), port_libre()]
    journal = tmp_path / "serveurs.log"
    with journal.open("w") as sortie:
        processus = subprocess.Popen(  # noqa: S603 - our own module
            [
                sys.executable,
                "-m",
                "interop.serveurs_test",
                "--dossier",
                str(tmp_path / "tls"),
                "--port-dmp",
                str(ports[0]),
                "--port-smtp",
                str(ports[1]),
                "--port-fhir",
                str(ports[2]),
            ],
            cwd=settings.BASE_DIR,
            stdout=sortie,
            stderr=subprocess.STDOUT,
        )
    try:
        for _ in range(200):
            if "DMP de test" in journal.read_text() or processus.poll() is not None:
                break
            time.sleep(0.1)
        assert f"https://127.0.0.1:{ports[0]}/dmp" in journal.read_text(), journal.read_text()[-2000:]
        with smtplib.SMTP("127.0.0.1", ports[1], timeout=10) as smtp:
            assert smtp.ehlo()[0] == 250 and smtp.has_extn("starttls")
        assert (tmp_path / "tls" / "client.pem").exists()
    finally:
        processus.terminate()
        processus.wait(10)
