"""Everything the DUI holds on one person, found from the model graph rather than from a list kept by hand:
a new app's rows about a person are in the right-of-access export the day they exist.

A row is about the person when its model has a ``usager`` foreign key, or a foreign key to such a row (a
besoin of their projet personnalisé, a pièce jointe of their admission request…), followed down to any
depth. ``HORS_DROIT_ACCES`` lists, with the reason, the few models deliberately left out. The access journal
entries about the person are added by the export itself.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models

from dui.models import TenantModel

# label → why it is not part of the person's data
HORS_DROIT_ACCES = {
    "soins.lecture": "marques de lecture des professionnels (leur activité, pas une donnée de la personne)",
    "medicaments.mouvementstock": "mouvements du stock de l'établissement",
}
CHAMPS_TECHNIQUES = {"id", "organisme", "nom_recherche", "password"}


@dataclass
class Modele:
    modele: type[models.Model]
    chemin: str  # lookup from the model to the Usager's pk ("pk" for the Usager itself)

    @property
    def label(self) -> str:
        return self.modele._meta.label_lower

    @property
    def libelle(self) -> str:
        return str(self.modele._meta.verbose_name_plural).capitalize()


def _est_historique(modele: type[models.Model]) -> bool:
    return modele.__name__.startswith("Historical")


def modeles_de_la_personne() -> list[Modele]:
    """Every model whose rows can be about one person, with the path to them (breadth first)."""
    usager = apps.get_model("usagers", "Usager")
    trouves: dict[type[models.Model], str] = {usager: "pk"}
    candidats = [
        m
        for m in apps.get_models()
        if issubclass(m, TenantModel)
        and not _est_historique(m)
        and m._meta.label_lower not in HORS_DROIT_ACCES
        and m is not usager
    ]
    change = True
    while change:
        change = False
        for modele in candidats:
            if modele in trouves:
                continue
            # a direct key to the person first: an activity's participation is the participant's, even though
            # its event (reached first by the model's field order) belongs to nobody
            champs = sorted(modele._meta.concrete_fields, key=lambda f: f.related_model is not usager)
            for champ in champs:
                cible = champ.related_model if champ.is_relation else None
                if cible is None or cible is modele or cible not in trouves:
                    continue
                chemin_parent = trouves[cible]
                trouves[modele] = champ.name if chemin_parent == "pk" else f"{champ.name}__{chemin_parent}"
                change = True
                break
    return [Modele(m, c) for m, c in trouves.items()]


def _valeur(instance: models.Model, champ: models.Field) -> Any:
    if champ.is_relation:
        cible = getattr(instance, champ.name)
        return str(cible) if cible is not None else None
    valeur = getattr(instance, champ.attname)
    if champ.choices and valeur not in (None, ""):
        return getattr(instance, f"get_{champ.name}_display")()
    if isinstance(champ, models.FileField):
        return valeur.name if valeur else None
    if isinstance(valeur, (datetime.date, datetime.datetime, datetime.time)):
        return valeur.isoformat()
    if isinstance(valeur, (uuid.UUID, decimal.Decimal)):
        return str(valeur)
    return valeur


@dataclass
class Section:
    label: str
    libelle: str
    lignes: list[dict[str, Any]] = field(default_factory=list)
    fichiers: list[tuple[str, models.fields.files.FieldFile]] = field(default_factory=list)
    public_ids: set[str] = field(default_factory=set)


def dossiers_de_la_personne(usager: Any) -> list[int]:
    """The dossier and the duplicates merged into it (their rows are about the same person)."""
    return [usager.pk, *type(usager).objects.filter(fusionne_dans=usager.pk).values_list("pk", flat=True)]


def lignes_de_la_personne(m: Modele, usager: Any) -> Any:
    return m.modele._default_manager.filter(**{f"{m.chemin}__in": dossiers_de_la_personne(usager)})


def extraire(usager: Any) -> list[Section]:
    """The sections of the person's data (only non-empty ones), rows as readable dictionaries (French labels,
    choices displayed, related rows named), with the stored files to include."""
    sections = []
    for m in modeles_de_la_personne():
        derives = set(
            getattr(m.modele, "champs_derives", ())
        )  # a preview, an extracted text: the file is there
        champs = [
            f
            for f in m.modele._meta.concrete_fields
            if f.name not in CHAMPS_TECHNIQUES and f.name not in derives
        ]
        relations = [f.name for f in champs if f.is_relation]
        qs = lignes_de_la_personne(m, usager).select_related(*relations)
        section = Section(m.label, m.libelle)
        for instance in qs.order_by("pk"):
            section.lignes.append({str(f.verbose_name): _valeur(instance, f) for f in champs})
            for f in champs:
                if isinstance(f, models.FileField) and getattr(instance, f.attname):
                    section.fichiers.append((f"{m.label}-{instance.pk}", getattr(instance, f.attname)))
            public_id = getattr(instance, "public_id", None)
            if public_id:
                section.public_ids.add(str(public_id))
        if section.lignes:
            sections.append(section)
    return sections
