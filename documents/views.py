"""Pages of the gestion documentaire: the dossier's documents, a document's file, its status (htmx)."""

from __future__ import annotations

import logging

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import render

from dui.audit import journaliser_acces
from dui.exports import nom_de_fichier_sur
from dui.models import TypeAcces
from habilitations import policy
from habilitations.access import get_for_user_or_404, get_in_scope_or_404
from habilitations.roles import Droit
from usagers.dossier import contexte_dossier
from usagers.models import Usager

from .models import Document
from .selectors import documents_du_dossier, documents_lisibles

logger = logging.getLogger(__name__)


def _document(request, public_id) -> Document:
    return get_in_scope_or_404(documents_lisibles(request.user).select_related("usager"), public_id)


@login_required
def dossier(request, public_id):
    usager = get_for_user_or_404(
        request.user, Droit.DOCUMENTS_VOIR, Usager.objects.filter(fusionne_dans__isnull=True), public_id
    )
    return render(
        request,
        "documents/dossier.html",
        {
            **contexte_dossier(request, usager, "documents"),
            "documents": documents_du_dossier(request.user, usager),
            "envoyables": policy.etablissements_autorises(request.user, Droit.DOCUMENTS_MODIFIER),
        },
    )


@login_required
def fichier(request, public_id):
    document = _document(request, public_id)
    if not document.disponible or not document.fichier:
        raise Http404
    try:
        contenu = document.fichier.open("rb")
    except FileNotFoundError:  # the row says "disponible" but the storage lost the file: say so, no 500
        logger.error(
            "Fichier absent du stockage pour le document %s (%s)", document.public_id, document.fichier.name
        )
        raise Http404("Le fichier de ce document est introuvable sur le serveur.") from None
    journaliser_acces(
        request,
        TypeAcces.IMPRESSION,
        document,
        f"Document « {document} » de {document.usager}",
        etablissement_id=document.etablissement_id,
    )
    reponse = FileResponse(
        contenu,
        content_type=document.type_mime,
        filename=nom_de_fichier_sur(document.nom_fichier),
        as_attachment=request.GET.get("telecharger") == "1",
    )
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
def statut(request, public_id):
    """htmx fragment polled while the worker prepares the document."""
    document = _document(request, public_id)
    return render(request, "documents/_statut.html", {"document": document})
