"""Write paths of the gestion documentaire: ask for a generated document (written in the request's
transaction, produced by a worker once it commits), store what the worker produced, record a failure."""

from __future__ import annotations

import datetime
import hashlib
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from dui.queue import enqueue_on_commit, tenant_kwargs

from .models import CODES_LOINC, Document, StatutDocument, TypeDocument

logger = logging.getLogger(__name__)

# A document still "en préparation" after this long was lost (broker down, worker killed before it
# started): a new request may replace it instead of being refused for ever.
DELAI_PREPARATION = datetime.timedelta(minutes=10)


def do_demander_generation(
    auteur,
    *,
    source: Any,
    usager,
    etablissement,
    type_document: str,
    categorie: str,
    titre: str,
    tache: str | Any,
    options: dict | None = None,
) -> Document:
    """A new version of the document generated from ``source`` (the caller has checked the rights on it);
    ``tache`` is the name of the Celery task that renders it (or an object with ``delay``, for tests that
    keep the worker out), called with the document's public id once the transaction commits."""
    precedent = (
        Document.objects.filter(organisme_id=auteur.organisme_id, objet_id=source.public_id)
        .order_by("-version")
        .first()
    )
    if precedent is not None and precedent.statut == StatutDocument.EN_PREPARATION:
        if precedent.cree_le > timezone.now() - DELAI_PREPARATION:
            raise ValidationError(
                "Un document est déjà en préparation pour cet élément : patientez quelques instants."
            )
        marquer_echec(precedent, "Non produit dans les dix minutes : remplacé par une nouvelle demande.")
    document = Document(
        organisme_id=auteur.organisme_id,
        usager=usager,
        etablissement=etablissement,
        type_document=type_document,
        code_loinc=CODES_LOINC.get(TypeDocument(type_document), ""),
        categorie=categorie,
        titre=titre[:200],
        objet_type=source._meta.label_lower,
        objet_id=source.public_id,
        version=(precedent.version + 1) if precedent else 1,
        remplace=precedent,
        options=options or {},
        auteur=auteur,
    )
    try:
        with transaction.atomic():
            document.save()
            if precedent is not None:
                precedent.derniere_version = False
                precedent.save(update_fields=["derniere_version", "modifie_le"])
    except IntegrityError as exc:  # two requests at the same time: the constraint keeps one version number
        raise ValidationError(
            "Un document est déjà en préparation pour cet élément : patientez quelques instants."
        ) from exc
    if isinstance(tache, str):
        enqueue_on_commit(tache, str(document.public_id), **tenant_kwargs(auteur))
    else:
        transaction.on_commit(lambda: tache.delay(str(document.public_id), **tenant_kwargs(auteur)))
    return document


def document_a_produire(document_public_id: str) -> Document | None:
    """The document a worker must produce, locked; None when it was already produced (redelivery)."""
    document = Document.objects.select_for_update().filter(public_id=document_public_id).first()
    if document is None:
        raise Document.DoesNotExist(f"Document {document_public_id} introuvable pour cet organisme.")
    return document if document.statut == StatutDocument.EN_PREPARATION else None


def enregistrer_pdf(document: Document, contenu: bytes) -> Document:
    document.fichier.save(document.nom_fichier, ContentFile(contenu), save=False)
    document.taille = len(contenu)
    document.sha256 = hashlib.sha256(contenu).hexdigest()
    document.statut = StatutDocument.DISPONIBLE
    document.erreur = ""
    document.produit_le = timezone.now()
    document.save()
    return document


def marquer_echec(document: Document, message: str) -> Document:
    logger.warning("Génération du document %s en échec : %s", document.public_id, message)
    document.statut = StatutDocument.ECHEC
    document.erreur = message[:500]
    document.produit_le = timezone.now()
    document.save(update_fields=["statut", "erreur", "produit_le", "modifie_le"])
    return document


def produire(document_public_id: str, rendre) -> str:
    """Worker side: lock the document, render it with ``rendre(document) -> bytes`` and store it. A
    rendering error is recorded on the document in French (the page shows it), never lost."""
    document = document_a_produire(document_public_id)
    if document is None:
        return "deja_produit"
    try:
        with transaction.atomic():
            contenu = rendre(document)
    except PermissionError as exc:
        marquer_echec(document, str(exc) or "Droits insuffisants pour produire ce document.")
        return StatutDocument.ECHEC
    except Exception as exc:  # noqa: BLE001 - recorded on the document, shown to the professional
        logger.exception("Échec de la génération du document %s", document_public_id)
        marquer_echec(
            document,
            f"La génération du PDF a échoué ({exc.__class__.__name__}). Réessayez ; si "
            f"l'erreur persiste, signalez-la.",
        )
        return StatutDocument.ECHEC
    enregistrer_pdf(document, contenu)
    enqueue_on_commit("documents.indexer", str(document.public_id), organisme_id=document.organisme_id)
    return StatutDocument.DISPONIBLE


TAILLE_MAX_DEPOT = 10 * 1024 * 1024  # a scanned report of a few pages


@transaction.atomic
def do_deposer_pdf(
    auteur,
    *,
    usager,
    etablissement,
    categorie: str,
    titre: str,
    contenu: bytes,
    source: Any,
) -> Document:
    """A PDF brought from outside (a consultation report, a meeting's signed minutes), filed in the dossier
    with the category that decides who reads it, and attached to ``source`` (an event of the agenda…). The
    author must be allowed to write documents and that category, on the person in that ESMS."""
    from django.core.exceptions import PermissionDenied

    from habilitations import policy
    from habilitations.roles import Droit

    from .models import CATEGORIES_DOCUMENTS

    if categorie not in dict(CATEGORIES_DOCUMENTS) or not all(
        policy.can_dans_etablissement(auteur, droit, usager, etablissement)
        for droit in (Droit.DOCUMENTS_MODIFIER, Droit.de(categorie, "modifier"))
    ):
        raise PermissionDenied
    if not contenu.startswith(b"%PDF-"):
        raise ValidationError({"fichier": "Déposez un fichier PDF (le document scanné ou reçu)."})
    if len(contenu) > TAILLE_MAX_DEPOT:
        raise ValidationError({"fichier": "Le fichier dépasse 10 Mo : réduisez la résolution du scan."})
    titre = titre.strip()[:200]
    if not titre:
        raise ValidationError({"titre": "Indiquez le titre du document."})
    from dui.history import update_with_history

    from .models import Origine

    precedent = (
        Document.objects.filter(organisme_id=auteur.organisme_id, objet_id=source.public_id)
        .order_by("-version")
        .first()
    )
    document = Document.objects.create(
        organisme_id=auteur.organisme_id,
        usager=usager,
        etablissement=etablissement,
        type_document=TypeDocument.AUTRE,
        origine=Origine.DEPOSE,
        categorie=categorie,
        titre=titre,
        objet_type=source._meta.label_lower,
        objet_id=source.public_id,
        version=(precedent.version + 1) if precedent else 1,
        remplace=precedent,
        auteur=auteur,
    )
    update_with_history(
        Document.objects.filter(
            organisme_id=auteur.organisme_id, objet_id=source.public_id, derniere_version=True
        ).exclude(pk=document.pk),
        derniere_version=False,
    )
    enqueue_on_commit("documents.indexer", str(document.public_id), organisme_id=auteur.organisme_id)
    return enregistrer_pdf(document, contenu)


# --- Gestion documentaire: documents brought into the dossier (issue 18) ---------------------------------


def _exiger_ecriture(auteur, usager, etablissement, categorie: str) -> None:
    """Filing a document needs the ``documents`` write right on the person in that ESMS, and the right to
    read the document's category there (one files only what one may read: a nurse files a hospital report,
    an educator does not). The first is a refusal (404); the second a French error on the chosen type."""
    from django.core.exceptions import PermissionDenied

    from habilitations import policy
    from habilitations.roles import VOIR, Droit

    from .models import CATEGORIES_DOCUMENTS

    if not policy.can_dans_etablissement(auteur, Droit.DOCUMENTS_MODIFIER, usager, etablissement):
        raise PermissionDenied
    if categorie not in dict(CATEGORIES_DOCUMENTS) or not policy.can_dans_etablissement(
        auteur, Droit.de(categorie, VOIR), usager, etablissement
    ):
        libelle = dict(CATEGORIES_DOCUMENTS).get(categorie, categorie)
        raise ValidationError(
            {
                "classe": f"Vos habilitations ne permettent pas de lire ni de classer les documents de catégorie "
                f"« {libelle} » pour cette personne dans cet établissement."
            }
        )


def _nettoyer_etiquettes(etiquettes) -> list[str]:
    vues: list[str] = []
    for etiquette in etiquettes or []:
        propre = " ".join(str(etiquette).split())[:40].lower()
        if propre and propre not in vues:
            vues.append(propre)
    if len(vues) > 10:
        raise ValidationError({"etiquettes": "Dix étiquettes au plus par document."})
    return vues


def _verifier_rattachement(usager, sejour, source_partenaire, auteur) -> None:
    if sejour is not None and (sejour.usager_id != usager.pk or sejour.organisme_id != auteur.organisme_id):
        raise ValidationError({"sejour": "Ce séjour n'est pas celui de cette personne."})
    if source_partenaire is not None and source_partenaire.organisme_id != auteur.organisme_id:
        raise ValidationError({"source_partenaire": "Émetteur inconnu de l'annuaire."})


def _stocker(document: Document, contenu: bytes, stockes: list) -> None:
    document.fichier.save(document.nom_fichier, ContentFile(contenu), save=False)
    stockes.append(document.fichier.name)
    document.taille = len(contenu)
    document.sha256 = hashlib.sha256(contenu).hexdigest()
    document.statut = StatutDocument.DISPONIBLE
    document.produit_le = timezone.now()


def _effacer_stockes(stockes: list) -> None:
    from django.core.files.storage import default_storage

    for nom in stockes:
        try:
            default_storage.delete(nom)
        except OSError:  # pragma: no cover - logged, the row was not written anyway
            logger.warning("Fichier orphelin non supprimé : %s", nom)


def do_deposer(
    auteur,
    *,
    usager,
    sejour,
    classe,
    fichiers: list,
    assembler: bool = False,
    titre: str = "",
    date_document: datetime.date | None = None,
    source_partenaire=None,
    source_libre: str = "",
    etiquettes: list[str] | None = None,
    confidentialite: str = "",
) -> list[Document]:
    """Files brought into a person's dossier, one document each (or the photographed pages as one): all are
    checked first (``documents.fichiers``), then stored in one transaction — a refusal stores nothing, and a
    file written before a failure is removed. The preview and text are made by a worker afterwards."""
    from . import fichiers as verification
    from .models import Confidentialite, Indexation, Origine

    if classe is None or classe.organisme_id != auteur.organisme_id or not classe.actif:
        raise ValidationError({"classe": "Choisissez le type du document dans le plan de classement."})
    if sejour is None:
        raise ValidationError(
            {"sejour": "Choisissez le séjour (l'établissement) auquel le document se rattache."}
        )
    _verifier_rattachement(usager, sejour, source_partenaire, auteur)
    _exiger_ecriture(auteur, usager, sejour.etablissement, classe.categorie)
    if date_document and date_document > timezone.localdate():
        raise ValidationError({"date_document": "La date du document ne peut pas être dans le futur."})
    if confidentialite and confidentialite not in Confidentialite.values:
        raise ValidationError({"confidentialite": "Confidentialité inconnue."})
    etiquettes = _nettoyer_etiquettes(etiquettes)
    try:
        prets = verification.preparer(fichiers, assembler=assembler)
    except ValidationError as exc:
        raise ValidationError({"fichiers": exc.messages}) from exc
    titre = " ".join(titre.split())[:200]
    stockes: list[str] = []
    documents = []
    try:
        with transaction.atomic():
            for pret in prets:
                nom = pret.nom.rsplit(".", 1)[0].replace("_", " ").strip() or classe.libelle
                document = Document(
                    organisme_id=auteur.organisme_id,
                    usager=usager,
                    etablissement=sejour.etablissement,
                    sejour=sejour,
                    origine=Origine.DEPOSE,
                    classe=classe,
                    type_document=TypeDocument.AUTRE,
                    code_loinc=classe.code_loinc or CODES_LOINC[TypeDocument.AUTRE],
                    categorie=classe.categorie,
                    confidentialite=confidentialite or classe.confidentialite,
                    titre=(titre if len(prets) == 1 and titre else (f"{titre} — {nom}" if titre else nom))[
                        :200
                    ],
                    date_document=date_document or timezone.localdate(),
                    source_partenaire=source_partenaire,
                    source_libre=source_libre.strip()[:200],
                    etiquettes=etiquettes,
                    pages=pret.pages,
                    indexation=Indexation.A_FAIRE,
                    objet_type="documents.document",
                    auteur=auteur,
                )
                document.objet_id = document.public_id  # the first version of its own line
                _stocker(document, pret.contenu, stockes)
                document.save()
                documents.append(document)
    except BaseException:
        _effacer_stockes(stockes)
        raise
    for document in documents:
        enqueue_on_commit("documents.indexer", str(document.public_id), organisme_id=auteur.organisme_id)
    return documents


def do_nouvelle_version(auteur, document: Document, fichiers: list, assembler: bool = False) -> Document:
    """A new version of a filed document (a corrected report, a re-signed contract): the previous one is
    kept, marked as replaced, and still readable from the document's page."""
    from . import fichiers as verification
    from .models import Indexation

    _exiger_ecriture(auteur, document.usager, document.etablissement, document.categorie)
    if not document.depose or document.detruit_le or document.en_erreur:
        raise ValidationError("Ce document ne peut pas recevoir de nouvelle version.")
    try:
        prets = verification.preparer(fichiers, assembler=assembler or len(fichiers) > 1)
    except ValidationError as exc:
        raise ValidationError({"fichiers": exc.messages}) from exc
    pret = prets[0]
    stockes: list[str] = []
    try:
        with transaction.atomic():
            derniere = (
                Document.objects.select_for_update()
                .filter(organisme_id=auteur.organisme_id, objet_id=document.objet_id)
                .order_by("-version")
                .first()
            )
            if derniere is None or derniere.pk != document.pk:
                raise ValidationError("Une version plus récente existe déjà : ouvrez la dernière version.")
            nouveau = Document(
                organisme_id=document.organisme_id,
                usager_id=document.usager_id,
                etablissement_id=document.etablissement_id,
                sejour_id=document.sejour_id,
                origine=document.origine,
                classe_id=document.classe_id,
                type_document=document.type_document,
                code_loinc=document.code_loinc,
                categorie=document.categorie,
                confidentialite=document.confidentialite,
                titre=document.titre,
                date_document=timezone.localdate(),
                source_partenaire_id=document.source_partenaire_id,
                source_libre=document.source_libre,
                etiquettes=document.etiquettes,
                pages=pret.pages,
                indexation=Indexation.A_FAIRE,
                objet_type=document.objet_type,
                objet_id=document.objet_id,
                version=document.version + 1,
                remplace=document,
                auteur=auteur,
            )
            _stocker(nouveau, pret.contenu, stockes)
            nouveau.save()
            document.derniere_version = False
            document.save(update_fields=["derniere_version", "modifie_le"])
    except BaseException:
        _effacer_stockes(stockes)
        raise
    enqueue_on_commit("documents.indexer", str(nouveau.public_id), organisme_id=auteur.organisme_id)
    return nouveau


CHAMPS_CLASSEMENT = (
    "classe", "titre", "date_document", "source_partenaire", "source_libre", "sejour", "etiquettes",
    "confidentialite",
)  # fmt: skip


@transaction.atomic
def do_classer(auteur, document: Document, **valeurs: Any) -> Document:
    """Reclassify a filed document or move it to another séjour (ESMS) of the person: every change is kept
    in the document's history; the author needs the write rights on the old and the new place and category."""
    from .models import Confidentialite
    from .recherche import vecteur

    if document.detruit_le or document.en_erreur:
        raise ValidationError("Ce document ne se reclasse plus.")
    _exiger_ecriture(auteur, document.usager, document.etablissement, document.categorie)
    classe = valeurs.get("classe", document.classe)
    sejour = valeurs.get("sejour", document.sejour)
    if document.depose and (classe is None or classe.organisme_id != auteur.organisme_id):
        raise ValidationError({"classe": "Choisissez le type du document dans le plan de classement."})
    if sejour is None and document.depose:
        raise ValidationError({"sejour": "Choisissez le séjour auquel le document se rattache."})
    _verifier_rattachement(document.usager, sejour, valeurs.get("source_partenaire"), auteur)
    etablissement = sejour.etablissement if sejour is not None else document.etablissement
    categorie = classe.categorie if classe is not None else document.categorie
    _exiger_ecriture(auteur, document.usager, etablissement, categorie)
    titre = " ".join(str(valeurs.get("titre", document.titre)).split())[:200]
    if not titre:
        raise ValidationError({"titre": "Indiquez le titre du document."})
    date_document = valeurs.get("date_document", document.date_document)
    if date_document and date_document > timezone.localdate():
        raise ValidationError({"date_document": "La date du document ne peut pas être dans le futur."})
    confidentialite = valeurs.get("confidentialite") or document.confidentialite
    if confidentialite not in Confidentialite.values:
        raise ValidationError({"confidentialite": "Confidentialité inconnue."})
    document.classe = classe
    if classe is not None:
        document.code_loinc = classe.code_loinc or document.code_loinc
    document.categorie = categorie
    document.sejour = sejour
    document.etablissement = etablissement
    document.titre = titre
    document.date_document = date_document
    document.source_partenaire = valeurs.get("source_partenaire", document.source_partenaire)
    document.source_libre = str(valeurs.get("source_libre", document.source_libre)).strip()[:200]
    document.etiquettes = _nettoyer_etiquettes(valeurs.get("etiquettes", document.etiquettes))
    document.confidentialite = confidentialite
    document.recherche = vecteur(document.titre, document.texte, document.etiquettes)  # title and tags
    document.save()
    return document


@transaction.atomic
def do_marquer_en_erreur(auteur, document: Document, motif: str) -> Document:
    """A document is never deleted by a professional: filed in the wrong dossier, illegible, a duplicate —
    it is marked as entered in error with the reason, and leaves the lists and the search (its line stays
    readable on the dossier, struck through)."""
    _exiger_ecriture(auteur, document.usager, document.etablissement, document.categorie)
    if document.en_erreur or document.detruit_le:
        raise ValidationError("Ce document est déjà marqué saisi par erreur.")
    motif = " ".join(motif.split())[:300]
    if len(motif) < 5:
        raise ValidationError(
            {"motif": "Indiquez pourquoi ce document est une erreur (5 caractères au moins)."}
        )
    document.en_erreur_le = timezone.now()
    document.en_erreur_par = auteur
    document.en_erreur_motif = motif
    document.save(update_fields=["en_erreur_le", "en_erreur_par", "en_erreur_motif", "modifie_le"])
    return document


def indexer(document_public_id: str) -> str:
    """Worker side: preview, thumbnail, text (OCR of scanned pages when tesseract is there) and search
    vector of a stored document. Idempotent; a failure is recorded on the document, never lost."""
    from django.core.files.storage import default_storage

    from .apercu import analyser
    from .models import Indexation
    from .recherche import vecteur

    document = Document.objects.select_for_update().filter(public_id=document_public_id).first()
    if document is None:
        raise Document.DoesNotExist(f"Document {document_public_id} introuvable pour cet organisme.")
    if not document.disponible or not document.fichier:
        return "sans_fichier"
    try:
        with document.fichier.open("rb") as f:
            contenu = f.read()
        resultat = analyser(contenu, lire_les_scans=document.depose)
    except Exception as exc:  # noqa: BLE001 - recorded on the document; the file itself stays readable
        logger.exception("Indexation du document %s en échec", document_public_id)
        document.indexation = Indexation.ECHEC
        document.indexation_remarques = f"Aperçu impossible ({exc.__class__.__name__})."
        document.save(update_fields=["indexation", "indexation_remarques", "modifie_le"])
        return Indexation.ECHEC
    for champ, octets, suffixe in (
        ("apercu", resultat.apercu, "apercu"),
        ("vignette", resultat.vignette, "vignette"),
    ):
        ancien = getattr(document, champ).name
        if octets:
            nom = f"documents/{document.organisme_id}/{document.public_id}-{suffixe}.png"
            if ancien:
                default_storage.delete(ancien)
            getattr(document, champ).save(nom, ContentFile(octets), save=False)
    document.texte = resultat.texte
    document.texte_ocr = resultat.ocr
    document.indexation = Indexation.FAITE if resultat.apercu else Indexation.ECHEC
    document.indexation_remarques = " ".join(resultat.remarques)[:500]
    document.recherche = vecteur(document.titre, document.texte, document.etiquettes)
    document.save(
        update_fields=[
            "apercu",
            "vignette",
            "texte",
            "texte_ocr",
            "indexation",
            "indexation_remarques",
            "recherche",
            "modifie_le",
        ]
    )
    return document.indexation


# --- Classification plan (the organisme's administrator) -------------------------------------------------


def _exiger_admin(auteur) -> None:
    from django.core.exceptions import PermissionDenied

    if not (getattr(auteur, "est_admin_organisme", False) and auteur.organisme_id):
        raise PermissionDenied


@transaction.atomic
def do_installer_plan_type(auteur) -> int:
    """The proposed plan (``documents.plan``) added to the organisme's: the types it already has are kept
    as they are. Returns how many were added."""
    from .models import ClasseDocument
    from .plan import PLAN_TYPE

    _exiger_admin(auteur)
    existants = set(
        ClasseDocument.objects.filter(organisme_id=auteur.organisme_id).values_list("code", flat=True)
    )
    nouveaux = [
        ClasseDocument(
            organisme_id=auteur.organisme_id,
            code=code,
            libelle=libelle,
            categorie=categorie,
            confidentialite=confidentialite,
            conservation_annees=annees,
            conservation_depart=depart,
            code_loinc=loinc,
            ordre=(rang + 1) * 10,
        )
        for rang, (code, libelle, categorie, confidentialite, annees, depart, loinc) in enumerate(PLAN_TYPE)
        if code not in existants
    ]
    for classe in nouveaux:
        classe.save()
    return len(nouveaux)


@transaction.atomic
def do_enregistrer_classe(auteur, classe, **valeurs: Any):
    """Create (``classe`` None) or change one type of the plan. A type already used keeps its code; its
    category may change only while no document uses it (the readers of filed documents would change)."""
    from django.utils.text import slugify

    from .models import ClasseDocument

    _exiger_admin(auteur)
    if classe is None:
        classe = ClasseDocument(organisme_id=auteur.organisme_id)
        classe.code = slugify(valeurs.get("code") or valeurs.get("libelle", ""))[:40]
    elif classe.organisme_id != auteur.organisme_id:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    elif valeurs.get("categorie") not in (None, classe.categorie) and classe.documents.exists():
        raise ValidationError(
            {
                "categorie": "Des documents sont déjà classés sous ce type : créez un autre type plutôt que "
                "d'en changer la catégorie (leurs lecteurs changeraient)."
            }
        )
    for champ in ("libelle", "categorie", "confidentialite", "conservation_annees", "conservation_depart",
                  "code_loinc", "ordre", "actif"):  # fmt: skip
        if champ in valeurs:
            setattr(classe, champ, valeurs[champ])
    classe.full_clean(exclude=["organisme"], validate_unique=False)
    if (
        ClasseDocument.objects.filter(organisme_id=auteur.organisme_id, code=classe.code)
        .exclude(pk=classe.pk)
        .exists()
    ):
        raise ValidationError({"libelle": "Un type de document porte déjà ce nom (ou ce code)."})
    classe.save()
    return classe


# --- Retention: proposed by a nightly job, confirmed by the DPO -----------------------------------------


def documents_a_detruire(organisme_id: int, jour: datetime.date):
    """Filed documents past their retention period on ``jour``: counted from the document's date, or from
    the person's final exit (no séjour open, the last exit that old) as their type says."""
    from django.db.models import DateField, Exists, ExpressionWrapper, F, Func, Max, OuterRef, Subquery

    from usagers.models import Sejour

    from .models import DepartConservation

    duree = Func(F("classe__conservation_annees"), template="make_interval(years => %(expressions)s)")
    sortie = (
        Sejour.objects.filter(usager_id=OuterRef("usager_id"))
        .order_by()
        .values("usager_id")
        .annotate(d=Max("date_sortie"))
        .values("d")
    )
    ouvert = Sejour.objects.filter(usager_id=OuterRef("usager_id"), date_sortie__isnull=True)
    base = (
        Document.objects.filter(organisme_id=organisme_id, classe__isnull=False, detruit_le__isnull=True)
        .annotate(
            fin_document=ExpressionWrapper(F("date_document") + duree, output_field=DateField()),
            derniere_sortie=Subquery(sortie[:1], output_field=DateField()),
            sejour_ouvert=Exists(ouvert),
        )
        .annotate(fin_sortie=ExpressionWrapper(F("derniere_sortie") + duree, output_field=DateField()))
    )
    from django.db.models import Q

    return base.filter(
        Q(classe__conservation_depart=DepartConservation.DOCUMENT, fin_document__lt=jour)
        | Q(classe__conservation_depart=DepartConservation.SORTIE, sejour_ouvert=False, fin_sortie__lt=jour)
    )


def proposer_destructions(organisme_id: int, jour: datetime.date) -> int:
    """Nightly: the documents past their retention period are put on the DPO's list (idempotent: a
    document already proposed keeps its date)."""
    from dui.history import update_with_history

    return update_with_history(
        documents_a_detruire(organisme_id, jour).filter(destruction_proposee_le__isnull=True),
        destruction_proposee_le=jour,
    )


@transaction.atomic
def do_detruire(auteur, document: Document, motif: str) -> Document:
    """The DPO confirms the destruction of a document past its retention period: its file, preview and text
    are erased; the row stays, with who destroyed it and when, as the trace the register needs."""
    from django.core.exceptions import PermissionDenied
    from django.core.files.storage import default_storage

    if not (getattr(auteur, "est_dpo", False) and auteur.organisme_id == document.organisme_id):
        raise PermissionDenied
    if document.detruit_le is not None:
        raise ValidationError("Ce document a déjà été détruit.")
    if document.destruction_proposee_le is None:
        raise ValidationError("Ce document n'a pas atteint la fin de sa durée de conservation.")
    motif = " ".join(motif.split())[:300]
    if len(motif) < 5:
        raise ValidationError({"motif": "Indiquez la référence de la décision de destruction."})
    noms = [str(f.name) for f in (document.fichier, document.apercu, document.vignette) if f]
    document.detruit_le = timezone.now()
    document.detruit_par = auteur
    document.options = {**document.options, "destruction": motif}
    document.fichier = document.apercu = document.vignette = ""
    document.texte = ""
    document.recherche = None
    document.save()

    def effacer() -> None:
        for nom in noms:
            default_storage.delete(nom)

    transaction.on_commit(effacer)
    return document
