"""Files for the gestion documentaire tests: real PDFs (with text, encrypted, with JavaScript), photos, an
image bomb, an executable renamed — all made here, none read from the network."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from dui.tenancy import tenant_context
from tests.soins.conftest import creer_resident


def pdf_texte(texte: str) -> bytes:
    import weasyprint

    html = "".join(f"<p>{ligne}</p>" for ligne in texte.split("\n"))
    return weasyprint.HTML(string=f"<html><body>{html}</body></html>").write_pdf()


def pdf_chiffre() -> bytes:
    from pypdf import PdfReader, PdfWriter

    ecrivain = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_texte("Confidentiel"))))
    ecrivain.encrypt("secret")
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


def pdf_avec_javascript() -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DictionaryObject, NameObject, TextStringObject

    ecrivain = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_texte("Facture"))))
    action = DictionaryObject(
        {
            NameObject("/S"): NameObject("/JavaScript"),
            NameObject("/JS"): TextStringObject("app.alert('bonjour');"),
        }
    )
    ecrivain._root_object[NameObject("/OpenAction")] = ecrivain._add_object(action)
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    return sortie.getvalue()


def photo(texte: str = "", taille=(1240, 1754), format_="JPEG") -> bytes:
    """A photographed page: white, with ``texte`` in large black letters (for the OCR)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", taille, "white")
    if texte:
        dessin = ImageDraw.Draw(image)
        try:
            police = ImageFont.truetype("DejaVuSans.ttf", 64)
        except OSError:
            police = ImageFont.load_default(size=64)
        for i, ligne in enumerate(texte.split("\n")):
            dessin.text((80, 120 + i * 110), ligne, fill="black", font=police)
    sortie = io.BytesIO()
    image.save(sortie, format_)
    return sortie.getvalue()


def bombe() -> bytes:
    """A PNG of 144 million pixels that weighs a few kilobytes."""
    from PIL import Image

    sortie = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(sortie, "PNG", optimize=True)
    return sortie.getvalue()


def fichier(nom: str, contenu: bytes, type_="application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu, content_type=type_)


def ocr_exige() -> bool:
    """CI installs tesseract (French): there an OCR test fails instead of skipping."""
    return os.environ.get("DUI_REQUIRE_OUTILS") == "1"


def sans_outil(nom: str) -> bool:
    if shutil.which(nom):
        return False
    if ocr_exige():
        pytest.fail(f"{nom} est requis en CI (.ci/run l'installe)")
    return True


@pytest.fixture
def plan_a(og_a):
    with tenant_context(og_a.organisme.pk):
        services.do_installer_plan_type(og_a.admin)
    return og_a


@pytest.fixture
def plan_b(og_b):
    with tenant_context(og_b.organisme.pk):
        services.do_installer_plan_type(og_b.admin)
    return og_b


@pytest.fixture
def personne(og_a):
    return creer_resident(
        og_a, nom_naissance="Lefèvre", premier_prenom="Jeanne", prenoms_naissance=["Jeanne"]
    )


def classe(tenant, code: str):
    from documents.models import ClasseDocument

    with tenant_context(tenant.organisme.pk):
        return ClasseDocument.objects.get(code=code)


def sejour_de(tenant, usager):
    from usagers.models import Sejour

    with tenant_context(tenant.organisme.pk):
        return Sejour.objects.select_related("etablissement").get(usager=usager)


def deposer(
    tenant, usager, contenu: bytes, code="courrier-medical", auteur="infirmier", nom="cr.pdf", **kwargs
):
    """A document filed by the service (the worker's indexation included, as after the commit)."""
    with tenant_context(tenant.organisme.pk):
        documents = services.do_deposer(
            tenant[auteur],
            usager=usager,
            sejour=sejour_de(tenant, usager),
            classe=classe(tenant, code),
            fichiers=[fichier(nom, contenu)],
            **kwargs,
        )
        for d in documents:
            services.indexer(str(d.public_id))
            d.refresh_from_db()
    return documents
