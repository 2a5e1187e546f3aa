"""Demo data of the gestion documentaire (``manage.py demo``): the proposed classification plan, a hospital
letter from the directory's CHU, a second version of it, a scanned MDPH notification (photographed pages,
read by OCR when tesseract is installed) and a filing mistake marked as such — through the services."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from annuaire.models import Partenaire
from usagers.models import Sejour

from . import services
from .models import ClasseDocument
from .pdf import pdf_depuis_html

LETTRE = """<html><body style="font-family: sans-serif; font-size: 11pt">
<p><strong>CHU Saint-Antoine — Service de cardiologie</strong><br>184 rue du Faubourg Saint-Antoine, 75012 Paris</p>
<p>Paris, le {date}</p>
<p>Cher confrère,</p>
<p>J'ai revu en consultation Madame {nom}, résidente de l'EHPAD, pour le suivi de sa fibrillation auriculaire
découverte lors de son hospitalisation. {suite}</p>
<p>Le traitement anticoagulant par apixaban 2,5 mg matin et soir est poursuivi ; surveillance de la fonction
rénale tous les trois mois. Prochain rendez-vous dans six mois.</p>
<p>Bien confraternellement,<br>Dr A. Lambert, cardiologue</p>
</body></html>"""


def _page_photographiee(lignes: list[str]) -> bytes:
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (1240, 1754), "white")
    dessin = ImageDraw.Draw(image)
    police: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        police = ImageFont.truetype("DejaVuSans.ttf", 44)
    except OSError:
        police = ImageFont.load_default(size=44)
    for i, ligne in enumerate(lignes):
        dessin.text((90, 120 + i * 80), ligne, fill="black", font=police)
    sortie = io.BytesIO()
    image.save(sortie, "JPEG", quality=80)
    return sortie.getvalue()


def construire(organisme: Any, usagers: dict[str, Any], pros: dict[str, Any]) -> None:
    admin = pros["admin"]
    services.do_installer_plan_type(admin)
    classes = {c.code: c for c in ClasseDocument.objects.filter(organisme=organisme)}
    lefevre, perrin = usagers["Lefèvre"], usagers["Perrin"]
    chu = Partenaire.objects.filter(organisme=organisme, nom="CHU Saint-Antoine").first()
    il_y_a = timezone.localdate() - datetime.timedelta(days=20)
    indexer = []

    (lettre,) = services.do_deposer(
        pros["infirmiere"],
        usager=lefevre,
        sejour=Sejour.objects.get(usager=lefevre),
        classe=classes["courrier-medical"],
        fichiers=[ContentFile(pdf_depuis_html(LETTRE.format(date=f"{il_y_a:%d/%m/%Y}", nom="Dupont", suite="")),
                              name="courrier-cardiologie.pdf")],
        titre="Courrier de consultation de cardiologie",
        date_document=il_y_a,
        source_partenaire=chu,
        etiquettes=["cardiologie"],
    )  # fmt: skip
    correction = LETTRE.format(
        date=f"{il_y_a:%d/%m/%Y}", nom="Dupont", suite="Holter de contrôle sans pause significative."
    )
    v2 = services.do_nouvelle_version(
        pros["medecin"], lettre, [ContentFile(pdf_depuis_html(correction), name="courrier-corrige.pdf")]
    )
    indexer += [lettre, v2]
    notification = services.do_deposer(
        pros["educatrice"],
        usager=perrin,
        sejour=Sejour.objects.get(usager=perrin),
        classe=classes["notification-mdph"],
        fichiers=[
            ContentFile(_page_photographiee([
                "MAISON DÉPARTEMENTALE DES PERSONNES HANDICAPÉES", "", "NOTIFICATION DE DÉCISION",
                "Commission des droits et de l'autonomie (CDAPH)", "", "Orientation : Maison d'accueil spécialisée",
                "Validité : 5 ans", ]), name="page-1.jpg"),
            ContentFile(_page_photographiee(["Voies et délais de recours", "", "Recours administratif préalable",
                                             "dans les deux mois suivant la notification."]), name="page-2.jpg"),
        ],
        assembler=True,
        titre="Notification CDAPH — orientation MAS",
        date_document=timezone.localdate() - datetime.timedelta(days=400),
        source_libre="MDPH de Paris",
        etiquettes=["orientation"],
    )  # fmt: skip
    indexer += notification
    (erreur,) = services.do_deposer(
        pros["infirmiere"],
        usager=lefevre,
        sejour=Sejour.objects.get(usager=lefevre),
        classe=classes["resultats-examens"],
        fichiers=[ContentFile(pdf_depuis_html("<p>Bilan biologique de M. Moreau</p>"), name="bilan.pdf")],
        titre="Bilan biologique",
    )
    services.do_marquer_en_erreur(pros["infirmiere"], erreur, "Bilan d'un autre résident (M. Moreau)")
    for document in indexer + [erreur]:
        services.indexer(str(document.public_id))
