"""Files brought into the dossier: what they are (sniffed from their bytes, never from their name), whether
they are safe to keep, and the PDF that is stored for them.

A PDF is kept as it came once it has passed the checks (readable, not encrypted, no active content). A JPEG,
PNG or HEIC photo becomes a PDF page (turned upright, EXIF dropped); several photos of a paper document taken
one after the other on a tablet become the pages of one PDF. Every refusal is a ``ValidationError`` in French
that names the file: the form comes back with what was typed, nothing is stored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

PDF, JPEG, PNG, HEIC = "pdf", "jpeg", "png", "heic"

# A photo of an A4 page at 600 dpi is 35 Mpx; a larger image is a decompression bomb, not a scan.
PIXELS_MAX = 50_000_000
PAGES_MAX = 500
# PDF names that run something or carry something: refused (a scan or a report never needs them)
NOMS_ACTIFS = {"/JavaScript", "/JS", "/Launch", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA"}
OBJETS_MAX = 200_000  # a PDF whose object graph is larger than this is refused rather than walked for ever


@dataclass
class FichierPret:
    """What will be stored: a PDF, its page count, and the names of the files it was made of."""

    nom: str
    contenu: bytes
    pages: int


def taille_max() -> int:
    return int(settings.DUI_MAX_DOCUMENT)


def _mo(octets: int) -> str:
    from dui.uploads import taille_lisible

    return taille_lisible(octets)


def nature(debut: bytes) -> str | None:
    """The kind of file from its first bytes, or None."""
    if debut.startswith(b"%PDF-"):
        return PDF
    if debut.startswith(b"\xff\xd8\xff"):
        return JPEG
    if debut.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if debut[4:8] == b"ftyp" and debut[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"heim", b"heis"):
        return HEIC
    return None


def lire(fichier, nom: str) -> bytes:
    """The bytes of an uploaded file, refused when empty or over the limit (the upload handler already
    stopped storing a larger one while it streamed in; this is the second check)."""
    if getattr(fichier, "size", None) and fichier.size > taille_max():
        raise ValidationError(f"« {nom} » dépasse la taille maximale de {_mo(taille_max())}.")
    contenu = fichier.read(taille_max() + 1)
    if len(contenu) > taille_max():
        raise ValidationError(f"« {nom} » dépasse la taille maximale de {_mo(taille_max())}.")
    if not contenu:
        raise ValidationError(f"« {nom} » est vide (0 octet) : choisissez à nouveau le fichier.")
    return contenu


def verifier_pdf(contenu: bytes, nom: str) -> int:
    """The page count of a PDF that may be kept; a ``ValidationError`` otherwise."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        lecteur = PdfReader(io.BytesIO(contenu), strict=False)
        if lecteur.is_encrypted:
            raise ValidationError(
                f"« {nom} » est un PDF protégé par mot de passe ou chiffré : il ne pourrait être ni lu ni "
                f"conservé. Enregistrez-en une copie sans protection, ou scannez le papier."
            )
        pages = len(lecteur.pages)
        actif = _contenu_actif(lecteur)
    except ValidationError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError, OSError) as exc:
        raise ValidationError(
            f"« {nom} » n'est pas un PDF lisible (fichier endommagé ou incomplet) : enregistrez-le à nouveau "
            f"ou scannez le papier."
        ) from exc
    if actif:
        raise ValidationError(
            f"« {nom} » contient du contenu actif ({actif}) : il est refusé par sécurité. Imprimez-le en PDF "
            f"(« Microsoft Print to PDF », « Enregistrer au format PDF ») ou scannez-le, puis déposez la copie."
        )
    if pages == 0:
        raise ValidationError(f"« {nom} » est un PDF sans aucune page.")
    if pages > PAGES_MAX:
        raise ValidationError(f"« {nom} » a {pages} pages : la limite est de {PAGES_MAX} pages par document.")
    return pages


def _contenu_actif(lecteur) -> str | None:
    """The first active-content name met in the document's object graph (JavaScript, launch actions,
    embedded files, Flash, XFA forms), walking from the trailer; None when there is none."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    vus: set[tuple[int, int]] = set()
    pile = [lecteur.trailer]
    compte = 0
    while pile:
        objet = pile.pop()
        if isinstance(objet, IndirectObject):
            cle = (objet.idnum, objet.generation)
            if cle in vus:
                continue
            vus.add(cle)
            objet = objet.get_object()
        compte += 1
        if compte > OBJETS_MAX:
            return "structure trop complexe pour être vérifiée"
        if isinstance(objet, DictionaryObject):
            for nom, valeur in objet.items():
                if nom in NOMS_ACTIFS:
                    return "JavaScript" if nom in ("/JavaScript", "/JS") else nom.lstrip("/")
                if nom == "/S" and valeur in ("/JavaScript", "/Launch"):
                    return valeur.lstrip("/")
                if nom != "/Parent":
                    pile.append(valeur)
        elif isinstance(objet, ArrayObject):
            pile.extend(objet)
    return None


def image_en_pdf(contenus: list[tuple[str, bytes]]) -> tuple[bytes, int]:
    """Photos (JPEG, PNG, HEIC) as the pages of one PDF, in order: turned upright by their EXIF orientation,
    EXIF (GPS, device) dropped, refused when not an image or too large to be a page."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    _heic()
    pages = []
    for nom, contenu in contenus:
        try:
            with Image.open(io.BytesIO(contenu)) as image:
                largeur, hauteur = image.size
                if largeur * hauteur > PIXELS_MAX:
                    raise ValidationError(
                        f"« {nom} » est une image de {largeur} × {hauteur} pixels : c'est plus qu'une page "
                        f"(limite {PIXELS_MAX // 1_000_000} millions de pixels). Réduisez-la avant de la déposer."
                    )
                image.load()
                page = ImageOps.exif_transpose(image).convert("RGB")
        except ValidationError:
            raise
        except (
            UnidentifiedImageError,
            OSError,
            ValueError,
            SyntaxError,
            Image.DecompressionBombError,
        ) as exc:
            raise ValidationError(f"« {nom} » n'est pas une image lisible (fichier endommagé).") from exc
        pages.append(page)
    sortie = io.BytesIO()
    pages[0].save(sortie, "PDF", save_all=True, append_images=pages[1:], resolution=150.0, quality=85)
    for page in pages:
        page.close()
    return sortie.getvalue(), len(pages)


def _heic() -> None:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # pragma: no cover - a dependency of the project; a HEIC is then unreadable
        return
    register_heif_opener()


def preparer(fichiers: list, *, assembler: bool) -> list[FichierPret]:
    """The PDFs to store for these uploaded files: one per file, or — ``assembler`` — the photos as the pages
    of one PDF (a PDF among them is then refused: scan pages are photos). Everything is checked before
    anything is returned."""
    if not fichiers:
        raise ValidationError("Choisissez au moins un fichier, ou photographiez le document.")
    lus = []
    for fichier in fichiers:
        nom = getattr(fichier, "name", "") or "fichier"
        contenu = lire(fichier, nom)
        genre = nature(contenu[:16])
        if genre is None:
            raise ValidationError(
                f"« {nom} » n'est ni un PDF, ni une image JPEG, PNG ou HEIC : son contenu ne correspond pas à "
                f"un document (un programme ou un fichier renommé est refusé)."
            )
        lus.append((nom, contenu, genre))
    if assembler:
        if any(genre == PDF for _nom, _c, genre in lus):
            raise ValidationError("Pour assembler des pages, prenez des photos (un PDF se dépose tel quel).")
        contenu, pages = image_en_pdf([(nom, c) for nom, c, _g in lus])
        if len(contenu) > taille_max():
            raise ValidationError(
                f"Les {pages} pages assemblées dépassent {_mo(taille_max())} : déposez-les en deux documents."
            )
        return [FichierPret(lus[0][0], contenu, pages)]
    prets = []
    for nom, contenu, genre in lus:
        if genre == PDF:
            prets.append(FichierPret(nom, contenu, verifier_pdf(contenu, nom)))
        else:
            pdf, pages = image_en_pdf([(nom, contenu)])
            prets.append(FichierPret(nom, pdf, pages))
    return prets
