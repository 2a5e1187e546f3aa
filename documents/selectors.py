"""Read paths of the gestion documentaire: the documents a professional may read, in SQL."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import F, Q, QuerySet

from habilitations import policy
from habilitations.roles import VOIR, Droit

from .models import CATEGORIES_DOCUMENTS, ClasseDocument, Document


def documents_lisibles(
    user,
    queryset: QuerySet[Document] | None = None,
    candidats: QuerySet[Document] | None = None,
    categories: set[str] | None = None,
) -> QuerySet[Document]:
    """Documents ``user`` may read: the ``documents`` habilitation and the one of the document's own data
    category (a PP needs ``social``, a DLU ``soins``…), on the document's ESMS and usager. ``candidats``
    bounds the per-category subqueries and ``categories`` says which categories occur (a page of documents:
    no scan of the whole table, no subquery for a category absent from the page)."""
    queryset = Document.objects.all() if queryset is None else queryset
    candidats = Document.objects.all() if candidats is None else candidats
    if not getattr(user, "is_authenticated", False):
        return queryset.none()
    base = policy.scope_contenu(user, Droit.DOCUMENTS_VOIR, queryset)
    par_categorie = [
        Q(categorie=code)
        & Q(
            pk__in=policy.scope_contenu(user, Droit.de(code, VOIR), candidats.filter(categorie=code)).values(
                "pk"
            )
        )
        for code, _libelle in CATEGORIES_DOCUMENTS
        if categories is None or code in categories
    ]
    if not par_categorie:
        return queryset.none()
    return base.filter(reduce(or_, par_categorie))


def lisibles_parmi(user, ids: set[int], categories: set[str]) -> set[int]:
    """Which of these documents ``user`` may read: the rules of ``documents_lisibles``, bounded to them and
    to the categories they have (a page of a list: no subquery over the whole table)."""
    if not ids:
        return set()
    page = Document.objects.filter(pk__in=ids)
    return set(
        documents_lisibles(user, page, candidats=page, categories=categories).values_list("pk", flat=True)
    )


def documents_du_dossier(user, usager) -> QuerySet[Document]:
    """The same rules as ``documents_lisibles``, decided on the usager once (no subquery per category)."""
    base = policy.scope_contenu_du_dossier(user, Droit.DOCUMENTS_VOIR, Document.objects.all(), usager)
    par_categorie = [
        Q(categorie=code)
        & Q(
            pk__in=policy.scope_contenu_du_dossier(
                user, Droit.de(code, VOIR), Document.objects.filter(categorie=code), usager
            ).values("pk")
        )
        for code, _libelle in CATEGORIES_DOCUMENTS
    ]
    return (
        base.filter(reduce(or_, par_categorie))
        .select_related("auteur", "etablissement")
        .defer("texte", "recherche", "options")
    )


def documents_en_vigueur(user, usager) -> QuerySet[Document]:
    """The dossier's documents as its tab lists them: the last version of each, not destroyed, by date of
    the document (a filed document) or of its production."""
    return (
        documents_du_dossier(user, usager)
        .filter(derniere_version=True, detruit_le__isnull=True)
        .select_related("classe", "source_partenaire")
        .order_by(F("date_document").desc(nulls_last=True), "-cree_le", "-id")
    )


def rechercher(user, texte: str, usager=None, limite: int = 50) -> QuerySet[Document]:
    """Documents whose title, tags or text match ``texte`` (French, accents ignored), among those ``user``
    may read, the best first: the last versions, not entered in error, not destroyed."""
    from django.contrib.postgres.search import SearchRank

    from .recherche import annoter_extraits, requete

    texte = " ".join(texte.split())[:200]
    if len(texte) < 2:
        return Document.objects.none()
    requete_ = requete(texte)
    qs = documents_du_dossier(user, usager) if usager is not None else documents_lisibles(user)
    qs = qs.filter(
        recherche=requete_, derniere_version=True, en_erreur_le__isnull=True, detruit_le__isnull=True
    )
    return (
        annoter_extraits(qs, texte)
        .annotate(rang=SearchRank(F("recherche"), requete_))
        .select_related("usager", "etablissement", "classe")
        .defer("texte", "recherche", "options")
        .order_by("-rang", "-cree_le")[:limite]
    )


def classes_du_plan(organisme_id: int, actives: bool = True) -> QuerySet[ClasseDocument]:
    qs = ClasseDocument.objects.filter(organisme_id=organisme_id)
    return qs.filter(actif=True) if actives else qs


def classes_classables(user) -> QuerySet[ClasseDocument]:
    """The types of the plan whose category ``user`` reads somewhere: the choices of a filing form."""
    categories = [
        code
        for code, _libelle in CATEGORIES_DOCUMENTS
        if policy.etablissements_autorises(user, Droit.de(code, VOIR))
    ]
    return classes_du_plan(user.organisme_id).filter(categorie__in=categories)


def versions(user, document: Document) -> list[Document]:
    """The versions of a document's line that ``user`` may read (one may have been reclassified into a
    category or moved to an ESMS the user does not read)."""
    ligne = Document.objects.filter(organisme_id=document.organisme_id, objet_id=document.objet_id).exclude(
        objet_id__isnull=True
    )
    return list(
        documents_lisibles(user, ligne, candidats=ligne)
        .select_related("auteur")
        .defer("texte", "recherche")
        .order_by("-version")
    )


CHAMPS_SUIVIS = {
    "classe_id": "type",
    "titre": "titre",
    "date_document": "date du document",
    "sejour_id": "séjour",
    "etablissement_id": "établissement",
    "etiquettes": "étiquettes",
    "confidentialite": "confidentialité",
    "source_libre": "émetteur",
    "source_partenaire_id": "émetteur (annuaire)",
    "en_erreur_le": "saisi par erreur",
    "derniere_version": "nouvelle version",
}


def historique_classement(document: Document) -> list[dict]:
    """What changed in the document's classification, who changed it and when (from its history)."""
    lignes = list(
        document.history.all().select_related("history_user").order_by("history_date", "history_id")
    )
    changements = []
    for avant, apres in zip(lignes, lignes[1:], strict=False):
        champs = [
            libelle
            for champ, libelle in CHAMPS_SUIVIS.items()
            if getattr(avant, champ) != getattr(apres, champ)
        ]
        if champs:
            changements.append({"le": apres.history_date, "par": apres.history_user, "champs": champs})
    return changements


def a_detruire(user) -> QuerySet[Document]:
    """The DPO's list: documents past their retention period, proposed by the nightly job."""
    if not (getattr(user, "est_dpo", False) and user.organisme_id):
        return Document.objects.none()
    return (
        Document.objects.filter(
            organisme_id=user.organisme_id, destruction_proposee_le__isnull=False, detruit_le__isnull=True
        )
        .select_related("usager", "etablissement", "classe")
        .defer("texte", "recherche")
        .order_by("destruction_proposee_le", "id")
    )


def detruits(user, limite: int = 50) -> QuerySet[Document]:
    if not (getattr(user, "est_dpo", False) and user.organisme_id):
        return Document.objects.none()
    return (
        Document.objects.filter(organisme_id=user.organisme_id, detruit_le__isnull=False)
        .select_related("usager", "classe", "detruit_par")
        .defer("texte", "recherche")
        .order_by("-detruit_le")[:limite]
    )


def sejours_pour_depot(user, usager):
    """The person's séjours (past ones too: an old report is filed under its stay) in the ESMS where
    ``user`` may file documents, the current first."""
    from usagers.models import Sejour

    return (
        Sejour.objects.filter(
            organisme_id=user.organisme_id,
            usager=usager,
            etablissement_id__in=policy.etablissements_autorises(user, Droit.DOCUMENTS_MODIFIER),
        )
        .select_related("etablissement")
        .order_by(F("date_sortie").desc(nulls_first=True), "-date_entree")
    )


def emetteurs(user):
    """The directory's partners, as a document's sender, when ``user`` may read the directory (else None:
    the sender is typed)."""
    from annuaire.selectors import partenaires, peut_lire

    return partenaires(user) if peut_lire(user) else None
