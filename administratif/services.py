"""Write paths of the administrative side: the ESMS's billing settings, and the monthly presence record
(asked in the request, produced by a worker with its progress, CSV and XLSX with neutralised cells)."""

from __future__ import annotations

import csv
import datetime
import io

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dui import production
from dui.exports import cellule_sure
from dui.queue import enqueue_on_commit, tenant_kwargs
from dui.tenancy import tenant_context
from habilitations import policy
from habilitations.roles import Droit

from . import presence
from .models import ExportPresence, ParametresFacturation


def _exiger(auteur, etablissement) -> None:
    if (
        etablissement.organisme_id != auteur.organisme_id
        or etablissement.pk not in policy.etablissements_autorises(auteur, Droit.ADMINISTRATIF_MODIFIER)
    ):
        raise PermissionDenied


@transaction.atomic
def do_regler_seuil(auteur, etablissement, seuil_absence_heures: int) -> ParametresFacturation:
    _exiger(auteur, etablissement)
    if seuil_absence_heures % 24:
        raise ValidationError(
            {"seuil_absence_heures": "Indiquez un nombre de jours entiers (24, 48, 72 heures…)."}
        )
    reglage, _ = ParametresFacturation.objects.get_or_create(
        organisme_id=etablissement.organisme_id, etablissement=etablissement
    )
    reglage.seuil_absence_heures = seuil_absence_heures
    reglage.full_clean(exclude=["organisme", "etablissement"])
    reglage.save()
    return reglage


@transaction.atomic
def do_demander_export(auteur, etablissement, mois: datetime.date) -> ExportPresence:
    from .selectors import parametres

    _exiger(auteur, etablissement)
    mois = mois.replace(day=1)
    if mois > timezone.localdate().replace(day=1):
        raise ValidationError({"mois": "Ce mois n'a pas commencé."})
    production.refuser_un_doublon(
        ExportPresence.objects.all(),
        auteur,
        "Ce relevé est déjà en préparation : patientez quelques instants.",
        etablissement=etablissement,
        mois=mois,
    )
    export = ExportPresence.objects.create(
        organisme_id=auteur.organisme_id,
        etablissement=etablissement,
        mois=mois,
        seuil_absence_heures=parametres(etablissement).seuil_absence_heures,
        demandeur=auteur,
    )
    enqueue_on_commit(
        "administratif.produire_export_presence", str(export.public_id), **tenant_kwargs(auteur)
    )
    return export


def produire_export(export_public_id: str, acteur) -> str:
    """Worker side (``TenantTaskParEtapes``: one transaction per step, the progress committed as it goes):
    the month computed within the requester's habilitations, read again now (a right lost since the request
    is lost for the export too), written as CSV and XLSX."""
    from .selectors import donnees_du_mois

    export = production.a_produire(
        ExportPresence.objects.select_related("etablissement"), export_public_id, acteur
    )
    if export is None:
        return "deja_produit"
    production.progres(export, 10)

    def etapes() -> None:
        with tenant_context(acteur.organisme_id):
            _exiger(acteur, export.etablissement)
            sejours, girs = donnees_du_mois(acteur, export.etablissement, export.mois)
        production.progres(export, 50)
        lignes = presence.calculer(export.mois, sejours, export.seuil_absence_heures // 24, girs)
        export.personnes, export.totaux = len(lignes), presence.totaux(lignes)
        production.progres(export, 70)
        base = f"presence-{export.etablissement.finess_geographique or export.etablissement.pk}-{export.mois:%Y-%m}"
        export.fichier_csv.save(f"exports/{export.organisme_id}/{base}-{export.public_id}.csv",
                                ContentFile(ecrire_csv(export, lignes, export.totaux)), save=False)  # fmt: skip
        export.fichier_xlsx.save(f"exports/{export.organisme_id}/{base}-{export.public_id}.xlsx",
                                 ContentFile(ecrire_xlsx(export, lignes, export.totaux)), save=False)  # fmt: skip

    return production.produire(
        export,
        acteur,
        etapes,
        refus="Le demandeur n'a plus l'habilitation sur cet ESMS.",
        nom="Relevé de présence",
    )


def _entete(export: ExportPresence) -> list[str]:
    return [
        f"Relevé de présence — {export.etablissement.nom} (FINESS {export.etablissement.finess_geographique})",
        f"Mois : {export.mois:%m/%Y} — seuil d'absence : {export.seuil_absence_heures} h (CASF, art. R314-204)",
    ]


def _cellule(ligne, colonne: str):
    v = presence.valeur(ligne, colonne)
    if isinstance(v, datetime.date):
        return v.strftime("%d/%m/%Y")
    return "" if v is None else v


def ecrire_csv(export: ExportPresence, lignes, totaux: dict) -> bytes:
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    for texte in _entete(export):
        ecrivain.writerow([cellule_sure(texte)])
    ecrivain.writerow([libelle for _c, libelle in presence.COLONNES])
    for ligne in lignes:
        ecrivain.writerow([cellule_sure(_cellule(ligne, c)) for c, _l in presence.COLONNES])
    ecrivain.writerow(
        [
            f"Total ({len(lignes)} séjours)",
            *[""] * 5,
            *[totaux.get(c, "") for c, _l in presence.COLONNES[6:19]],
            "",
            "",
        ]
    )
    return ("\ufeff" + sortie.getvalue()).encode("utf-8")  # BOM: Excel opens it in UTF-8


def ecrire_xlsx(export: ExportPresence, lignes, totaux: dict) -> bytes:
    """openpyxl; every text cell written as text (a name starting with "=" stays a name, never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook()
    feuille = classeur.active
    feuille.title = f"Présence {export.mois:%m-%Y}"
    for texte in _entete(export):
        feuille.append([texte])
    feuille.append([libelle for _c, libelle in presence.COLONNES])
    for cellule in feuille[feuille.max_row]:
        cellule.font = Font(bold=True)
    for ligne in lignes:
        feuille.append([_cellule(ligne, c) for c, _l in presence.COLONNES])
    feuille.append([f"Total ({len(lignes)} séjours)", *[""] * 5,
                    *[totaux.get(c, "") for c, _l in presence.COLONNES[6:19]]])  # fmt: skip
    for rangee in feuille.iter_rows():
        for cellule in rangee:
            if isinstance(cellule.value, str):
                cellule.value = cellule_sure(cellule.value)  # as in the CSV: a leading quote
                cellule.data_type = "s"  # and a text cell: never a formula
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


# --- Droits et aides --------------------------------------------------------------------------------------

CHAMPS_DROIT = (
    "type_droit", "libelle", "organisme_payeur", "reference", "debut", "fin", "montant", "taux", "gir",
    "orientation", "justificatif", "commentaire",
)  # fmt: skip


def _exiger_dossier(auteur, usager, etablissement) -> None:
    if not policy.can_dans_etablissement(auteur, Droit.ADMINISTRATIF_MODIFIER, usager, etablissement):
        raise PermissionDenied


def _verifier_droit(auteur, droit) -> None:
    from documents.selectors import documents_lisibles

    from .models import TypeDroit

    if droit.justificatif_id is not None and not (
        droit.justificatif.usager_id == droit.usager_id
        and documents_lisibles(auteur).filter(pk=droit.justificatif_id).exists()
    ):
        raise ValidationError({"justificatif": "Choisissez un document du dossier de cette personne."})
    if droit.gir is not None and droit.type_droit != TypeDroit.APA:
        raise ValidationError({"gir": "Le GIR ne se renseigne que pour l'APA."})
    if droit.orientation and droit.type_droit != TypeDroit.ORIENTATION:
        raise ValidationError({"orientation": "L'orientation ne se renseigne que pour une décision CDAPH."})
    droit.full_clean(exclude=["organisme", "usager", "etablissement"])


@transaction.atomic
def do_enregistrer_droit(auteur, usager, etablissement, droit=None, **valeurs):
    """Record (``droit`` None) or correct a right or aid of the person; the history keeps the former values."""
    from .models import DroitAide

    if droit is None:
        droit = DroitAide(organisme_id=auteur.organisme_id, usager=usager, etablissement=etablissement)
    elif droit.usager_id != usager.pk or droit.organisme_id != auteur.organisme_id:
        raise PermissionDenied
    _exiger_dossier(auteur, usager, droit.etablissement)
    for champ in CHAMPS_DROIT:
        if champ in valeurs:
            setattr(droit, champ, valeurs[champ])
    _verifier_droit(auteur, droit)
    droit.save()
    return droit


@transaction.atomic
def do_reprendre_orientation(auteur, usager, etablissement, demande):
    """The CDAPH orientation of the admission request that brought the person, carried into the dossier
    (once: an orientation with the same decision number is not recorded twice)."""
    from .models import DroitAide, TypeDroit

    _exiger_dossier(auteur, usager, etablissement)
    if demande.organisme_id != auteur.organisme_id or not (
        demande.cdaph_numero_decision or demande.orientation
    ):
        raise ValidationError("Cette demande d'admission ne porte pas de décision CDAPH.")
    if DroitAide.objects.filter(
        usager=usager, type_droit=TypeDroit.ORIENTATION, reference=demande.cdaph_numero_decision
    ).exists():
        raise ValidationError("Cette orientation est déjà reprise dans le dossier.")
    return do_enregistrer_droit(
        auteur,
        usager,
        etablissement,
        type_droit=TypeDroit.ORIENTATION,
        reference=demande.cdaph_numero_decision[:60],
        orientation=(demande.get_orientation_display() if demande.orientation else "")[:120],
        organisme_payeur="MDPH (CDAPH)",
        debut=demande.cdaph_date_decision or demande.date_reception,
        fin=demande.cdaph_fin_validite,
        commentaire=f"Repris de la demande d'admission du {demande.date_reception:%d/%m/%Y}.",
    )


# --- Contrat de séjour / DIPC -----------------------------------------------------------------------------


def _exiger_admin(auteur) -> None:
    if not (getattr(auteur, "est_admin_organisme", False) and auteur.organisme_id):
        raise PermissionDenied


@transaction.atomic
def do_enregistrer_modele(auteur, modele=None, **valeurs):
    from .contrats import variables_inconnues
    from .models import ModeleContrat

    _exiger_admin(auteur)
    if modele is None:
        modele = ModeleContrat(organisme_id=auteur.organisme_id)
    elif modele.organisme_id != auteur.organisme_id:
        raise PermissionDenied
    for champ in ("nom", "genre", "corps", "actif"):
        if champ in valeurs:
            setattr(modele, champ, valeurs[champ])
    inconnues = variables_inconnues(modele.corps)
    if inconnues:
        raise ValidationError(
            {"corps": f"Variables inconnues : {', '.join('{{ ' + v + ' }}' for v in inconnues)}. "
             f"Utilisez celles de la liste."}
        )  # fmt: skip
    modele.full_clean(exclude=["organisme"])
    modele.save()
    return modele


def _representant(usager) -> str:
    from usagers.models import MesureProtection, Proche

    jour = timezone.localdate()
    mesure = (
        MesureProtection.objects.filter(usager=usager, date_debut__lte=jour)
        .exclude(date_fin__lt=jour)
        .order_by("-date_debut")
        .first()
    )
    if mesure is not None and mesure.mandataire:
        return f"{mesure.mandataire} ({mesure.get_type_mesure_display()})"
    proche = Proche.objects.filter(usager=usager, representant_legal=True).first()
    return f"{proche.prenom} {proche.nom}".strip() if proche else ""


@transaction.atomic
def do_etablir_contrat(auteur, sejour, modele, avenant_de=None):
    """A contract, a DIPC or an avenant drawn up from a template with the person's data: its text is frozen
    now, its PDF produced by the worker."""
    from documents.models import TypeDocument
    from documents.services import do_demander_generation
    from habilitations.roles import Categorie

    from . import contrats
    from .models import Contrat, GenreContrat

    usager = sejour.usager
    _exiger_dossier(auteur, usager, sejour.etablissement)
    if modele is None or modele.organisme_id != auteur.organisme_id or not modele.actif:
        raise ValidationError({"modele": "Choisissez un modèle de l'organisme."})
    if modele.genre == GenreContrat.AVENANT and (avenant_de is None or avenant_de.sejour_id != sejour.pk):
        raise ValidationError({"modele": "Un avenant modifie un contrat de ce séjour : choisissez-le."})
    donnees = contrats.valeurs(usager, sejour, _representant(usager), timezone.localdate())
    contrat = Contrat.objects.create(
        organisme_id=auteur.organisme_id,
        usager=usager,
        sejour=sejour,
        etablissement=sejour.etablissement,
        genre=modele.genre,
        modele=modele,
        avenant_de=avenant_de if modele.genre == GenreContrat.AVENANT else None,
        titre=f"{modele.get_genre_display()} — {usager} ({sejour.etablissement.nom})"[:200],
        texte=contrats.rendre(modele.corps, donnees),
        redige_par=auteur,
    )
    do_demander_generation(
        auteur,
        source=contrat,
        usager=usager,
        etablissement=sejour.etablissement,
        type_document=TypeDocument.CONTRAT_SEJOUR,
        categorie=Categorie.ADMINISTRATIF,
        titre=contrat.titre,
        tache="administratif.generer_contrat",
    )
    return contrat


def _exiger_contrat(auteur, contrat) -> None:
    _exiger_dossier(auteur, contrat.usager, contrat.etablissement)


@transaction.atomic
def do_remettre(auteur, contrat, remis_le: datetime.date, remis_a: str = ""):
    _exiger_contrat(auteur, contrat)
    if remis_le > timezone.localdate():
        raise ValidationError({"remis_le": "La date de remise ne peut pas être dans le futur."})
    if remis_le < contrat.cree_le.date() - datetime.timedelta(days=1):
        raise ValidationError({"remis_le": "Le document ne peut pas avoir été remis avant d'être établi."})
    contrat.remis_le, contrat.remis_a = remis_le, remis_a.strip()[:120]
    contrat.save(update_fields=["remis_le", "remis_a", "modifie_le"])
    return contrat


SIGNATURE_MAX = 300 * 1024


def verifier_signature(image: bytes) -> None:
    """A drawn signature: a PNG of a sensible size, not blank."""
    import io

    from PIL import Image

    if not image.startswith(b"\x89PNG\r\n\x1a\n") or len(image) > SIGNATURE_MAX:
        raise ValidationError(
            {"signature": "La signature n'a pas été reçue : signez dans le cadre puis validez."}
        )
    try:
        with Image.open(io.BytesIO(image)) as dessin:
            largeur, hauteur = dessin.size
            if not (100 <= largeur <= 3000 and 50 <= hauteur <= 2000):
                raise ValidationError({"signature": "Le cadre de signature n'a pas la bonne taille."})
            niveaux = dessin.convert("L").point(lambda v: 255 if v < 128 else 0).getbbox()
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable image is refused the same way
        raise ValidationError({"signature": "La signature est illisible : recommencez."}) from exc
    if niveaux is None:
        raise ValidationError({"signature": "Le cadre est vide : la personne doit signer avant de valider."})


@transaction.atomic
def do_signer(auteur, contrat, *, signataire: str, qualite: str, image: bytes):
    """The signature drawn on a tablet: the image kept, the content hash computed (text, signer, quality,
    moment, image) and the signed PDF produced by the worker with the hash printed on it."""
    from documents.models import TypeDocument
    from documents.services import do_demander_generation
    from habilitations.roles import Categorie

    from . import contrats
    from .models import ModeSignature, QualiteSignataire

    _exiger_contrat(auteur, contrat)
    if contrat.signe:
        raise ValidationError("Ce document est déjà signé : établissez un avenant pour le modifier.")
    if contrat.remis_le is None:
        raise ValidationError("Enregistrez d'abord la remise du document à la personne.")
    signataire = " ".join(signataire.split())[:120]
    if len(signataire) < 3:
        raise ValidationError({"signataire": "Indiquez le nom de la personne qui signe."})
    if qualite not in QualiteSignataire.values:
        raise ValidationError({"qualite": "Indiquez à quel titre elle signe."})
    verifier_signature(image)
    contrat.signe_le = timezone.now()
    contrat.signataire, contrat.qualite_signataire = signataire, qualite
    contrat.mode_signature = ModeSignature.TABLETTE
    contrat.empreinte = contrats.empreinte(contrat.texte, signataire, qualite, contrat.signe_le, image)
    contrat.signature.save(f"contrats/{contrat.organisme_id}/{contrat.public_id}-signature.png",
                           ContentFile(image), save=False)  # fmt: skip
    contrat.save()
    document = do_demander_generation(
        auteur,
        source=contrat,
        usager=contrat.usager,
        etablissement=contrat.etablissement,
        type_document=TypeDocument.CONTRAT_SEJOUR,
        categorie=Categorie.ADMINISTRATIF,
        titre=f"{contrat.titre} — signé",
        tache="administratif.generer_contrat",
    )
    contrat.document_signe = document
    contrat.save(update_fields=["document_signe", "modifie_le"])
    return contrat


@transaction.atomic
def do_deposer_copie_signee(auteur, contrat, fichiers: list, signataire: str, qualite: str):
    """A paper copy signed by hand, scanned or photographed: filed as the contract's signed document."""
    from documents import fichiers as verification
    from documents.services import do_deposer_pdf
    from habilitations.roles import Categorie

    from .models import ModeSignature, QualiteSignataire

    _exiger_contrat(auteur, contrat)
    if contrat.signe:
        raise ValidationError("Ce document est déjà signé.")
    if qualite not in QualiteSignataire.values:
        raise ValidationError({"qualite": "Indiquez à quel titre la personne a signé."})
    signataire = " ".join(signataire.split())[:120]
    if len(signataire) < 3:
        raise ValidationError({"signataire": "Indiquez le nom de la personne qui a signé."})
    try:
        images = bool(fichiers) and all(not f.read(5).startswith(b"%PDF-") for f in fichiers)
        for f in fichiers:
            f.seek(0)
        (pret,) = verification.preparer(fichiers, assembler=images)[:1]
    except ValidationError as exc:
        raise ValidationError({"fichiers": exc.messages}) from exc
    document = do_deposer_pdf(
        auteur,
        usager=contrat.usager,
        etablissement=contrat.etablissement,
        categorie=Categorie.ADMINISTRATIF,
        titre=f"{contrat.titre} — copie signée",
        contenu=pret.contenu,
        source=contrat,
    )
    contrat.signe_le = timezone.now()
    contrat.signataire, contrat.qualite_signataire = signataire, qualite
    contrat.mode_signature = ModeSignature.SCAN
    contrat.empreinte = document.sha256
    contrat.document_signe = document
    if contrat.remis_le is None:
        contrat.remis_le = timezone.localdate()
    contrat.save()
    return contrat


@transaction.atomic
def do_refuser(auteur, contrat, motif: str):
    _exiger_contrat(auteur, contrat)
    motif = " ".join(motif.split())[:300]
    if contrat.signe:
        raise ValidationError("Ce document est déjà signé.")
    if len(motif) < 5:
        raise ValidationError({"motif": "Indiquez ce que la personne a dit (5 caractères au moins)."})
    contrat.refus_le, contrat.refus_motif = timezone.localdate(), motif
    contrat.save(update_fields=["refus_le", "refus_motif", "modifie_le"])
    return contrat


@transaction.atomic
def do_enregistrer_remises(auteur, sejour, remises: dict, remis_a: str = "") -> int:
    """The documents handed at admission (livret d'accueil, charte, règlement de fonctionnement), each with
    its date; a date already recorded is corrected (history kept)."""
    from .models import GenreRemise, RemiseDocument

    _exiger_dossier(auteur, sejour.usager, sejour.etablissement)
    n = 0
    for genre, jour in remises.items():
        if genre not in GenreRemise.values or jour is None:
            continue
        if jour > timezone.localdate():
            raise ValidationError({genre: "La date de remise ne peut pas être dans le futur."})
        remise, _ = RemiseDocument.objects.get_or_create(
            organisme_id=auteur.organisme_id, sejour=sejour, genre=genre,
            defaults={"usager": sejour.usager, "etablissement": sejour.etablissement, "remis_le": jour,
                      "remis_a": remis_a[:120], "par": auteur},
        )  # fmt: skip
        if remise.remis_le != jour:
            remise.remis_le, remise.par = jour, auteur
            remise.save()
        n += 1
    return n
