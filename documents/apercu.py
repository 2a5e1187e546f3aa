"""Preview, thumbnail and text of a stored PDF, in a worker.

The first page is rendered by poppler's ``pdftoppm`` (Debian ``poppler-utils``), the text read by pypdf; a
page without text (a scan) is read by ``tesseract`` in French (Debian ``tesseract-ocr-fra``) when it is
installed — without it the document stays findable by its title, type and tags, and says so. Both programs
run with a time limit on a temporary copy; nothing here reaches the network.
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess  # noqa: S404 - fixed programs, arguments built here, never a shell
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

LARGEUR_APERCU = 900
LARGEUR_VIGNETTE = 160
DELAI = 60  # seconds per program call
PAGES_OCR_MAX = 30
TEXTE_MIN_PAR_PAGE = 20  # fewer characters than this on a page: it is an image, read it


@dataclass
class Resultat:
    apercu: bytes | None = None
    vignette: bytes | None = None
    texte: str = ""
    ocr: bool = False
    pages_sans_texte: int = 0
    remarques: list[str] = field(default_factory=list)


def ocr_disponible() -> bool:
    tesseract = shutil.which("tesseract")
    if not tesseract:
        return False
    try:
        sortie = subprocess.run(  # noqa: S603
            [tesseract, "--list-langs"], capture_output=True, text=True, timeout=DELAI, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "fra" in sortie.stdout.split()


def _rendre_page(pdf: Path, page: int, dpi: int, dossier: Path) -> Path | None:
    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        return None
    racine = dossier / f"p{page}-{dpi}"
    try:
        subprocess.run(  # noqa: S603
            [
                pdftoppm,
                "-q",
                "-png",
                "-r",
                str(dpi),
                "-f",
                str(page),
                "-l",
                str(page),
                "-singlefile",
                str(pdf),
                str(racine),
            ],
            check=True,
            timeout=DELAI,
            capture_output=True,
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        logger.warning("pdftoppm n'a pas rendu la page %s : %s", page, exc)
        return None
    chemin = racine.with_suffix(".png")
    return chemin if chemin.exists() else None


def _png(image, largeur: int) -> bytes:
    copie = image.copy()
    copie.thumbnail((largeur, largeur * 2))
    sortie = io.BytesIO()
    copie.save(sortie, "PNG", optimize=True)
    return sortie.getvalue()


def _ocr(image_png: Path) -> str:
    tesseract = shutil.which("tesseract") or "tesseract"
    try:
        sortie = subprocess.run(  # noqa: S603
            [tesseract, str(image_png), "stdout", "-l", "fra", "--psm", "3"],
            capture_output=True,
            text=True,
            timeout=DELAI * 2,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        logger.warning("tesseract n'a pas lu la page : %s", exc)
        return ""
    return sortie.stdout


def analyser(contenu: bytes, lire_les_scans: bool = True) -> Resultat:
    """Preview, thumbnail and text of a PDF; ``lire_les_scans``: OCR of the pages without text (a PDF the DUI
    produced has its text layer: a page without text there is a blank page, not a scan)."""
    from PIL import Image
    from pypdf import PdfReader

    resultat = Resultat()
    with tempfile.TemporaryDirectory(prefix="dui-doc-") as nom:
        dossier = Path(nom)
        pdf = dossier / "document.pdf"
        pdf.write_bytes(contenu)
        premiere = _rendre_page(pdf, 1, 110, dossier)
        if premiere is None:
            resultat.remarques.append("Aperçu indisponible (pdftoppm absent ou page illisible).")
        else:
            with Image.open(premiere) as image:
                resultat.apercu = _png(image, LARGEUR_APERCU)
                resultat.vignette = _png(image, LARGEUR_VIGNETTE)
        lecteur = PdfReader(io.BytesIO(contenu), strict=False)
        textes = []
        ocr = lire_les_scans and ocr_disponible()
        lues = 0
        for numero, page in enumerate(lecteur.pages, start=1):
            try:
                texte = page.extract_text() or ""
            except Exception as exc:  # noqa: BLE001 - a page pypdf cannot read is an image for us
                logger.info("Texte illisible page %s : %s", numero, exc)
                texte = ""
            if len(texte.strip()) < TEXTE_MIN_PAR_PAGE:
                resultat.pages_sans_texte += 1
                if ocr and lues < PAGES_OCR_MAX:
                    page_png = _rendre_page(pdf, numero, 250, dossier)
                    if page_png is not None:
                        lu = _ocr(page_png)
                        lues += 1
                        if lu.strip():
                            texte, resultat.ocr = lu, True
            textes.append(texte)
        resultat.texte = "\n".join(textes).strip()
        if resultat.pages_sans_texte and lire_les_scans and not ocr:
            resultat.remarques.append(
                "Pages scannées non lues : la reconnaissance de texte (tesseract, français) n'est pas "
                "installée sur le serveur."
            )
    return resultat
