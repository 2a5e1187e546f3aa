"""PDF rendering reaches nothing outside the document (issue 15, item 8: the data-only URL fetcher must
exist in the pinned WeasyPrint, never a silent fallback to the default fetcher)."""

from __future__ import annotations

import http.server
import threading

import pytest

from documents.pdf import rendre_pdf, texte_du_pdf


@pytest.fixture
def gabarit(tmp_path, settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]},
    ]
    return tmp_path


def test_no_file_or_network_url_is_fetched(gabarit, tmp_path):
    appels: list[str] = []

    class Espion(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            appels.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    serveur = http.server.HTTPServer(("127.0.0.1", 0), Espion)
    threading.Thread(target=serveur.serve_forever, daemon=True).start()
    secret = tmp_path / "secret.css"
    secret.write_text("body::after { content: 'FICHIER-DU-SERVEUR'; }")
    url = f"http://127.0.0.1:{serveur.server_port}"
    (gabarit / "essai.html").write_text(
        f'<html><head><link rel="stylesheet" href="file://{secret}">'
        f'<link rel="stylesheet" href="{url}/style.css"></head>'
        f'<body><p>Contenu</p><img src="{url}/image.png"><img src="file:///etc/hostname"></body></html>'
    )
    try:
        texte = texte_du_pdf(rendre_pdf("essai.html", {}))
    finally:
        serveur.shutdown()
    assert "Contenu" in texte and "FICHIER-DU-SERVEUR" not in texte
    assert appels == []
