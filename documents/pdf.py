"""PDF rendering with WeasyPrint, from a Django template, without any network or file access: the
templates carry their CSS inline, and the fetcher only accepts ``data:`` URLs (a document built from a
record must never reach out, nor read a file of the server because a field contained a URL)."""

from __future__ import annotations

import io

from django.template.loader import render_to_string


def rendre_pdf(template: str, contexte: dict) -> bytes:
    import weasyprint

    html = render_to_string(template, contexte)
    # WeasyPrint is pinned (pyproject) to a version that has URLFetcher: never a silent fallback to the
    # default fetcher, which reads file: and http: URLs
    fetcher = weasyprint.URLFetcher(allowed_protocols=["data"])
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()


def texte_du_pdf(contenu: bytes) -> str:
    """The text of a PDF (tests and checks): every page, in order."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(contenu)).pages)


def pdf_depuis_html(html: str) -> bytes:
    """A PDF from an HTML string (demo letters, tests), under the same data-only fetcher."""
    import weasyprint

    fetcher = weasyprint.URLFetcher(allowed_protocols=["data"])
    return weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
