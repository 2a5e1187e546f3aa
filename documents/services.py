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
    version = Document.objects.filter(organisme_id=auteur.organisme_id, objet_id=source.public_id).count() + 1
    document = Document.objects.create(
        organisme_id=auteur.organisme_id,
        usager=usager,
        etablissement=etablissement,
        type_document=TypeDocument.AUTRE,
        categorie=categorie,
        titre=titre,
        objet_type=source._meta.label_lower,
        objet_id=source.public_id,
        version=version,
        auteur=auteur,
    )
    return enregistrer_pdf(document, contenu)
