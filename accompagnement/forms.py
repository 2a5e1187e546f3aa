"""Forms of the accompagnement. Choices of professionals, codes and objectives are given by the view
(always within the tenant and the ESMS); objects are referred to by their public id."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils import timezone

from dui.forms import champ_a_choix
from habilitations.models import Professionnel

from . import aggir
from .models import (
    Action,
    Attente,
    AvisValidation,
    Besoin,
    CodeSerafin,
    Confidentialite,
    GrilleEvaluation,
    JeuSerafin,
    ModeAggir,
    Objectif,
    Observation,
    ResultatObjectif,
    TypeItem,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _libelle_pro(pro: Professionnel) -> str:
    return f"{pro.get_full_name()}{f' — {pro.get_profession_display()}' if pro.profession else ''}"


class ProChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _libelle_pro(obj)


class CodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.libelle}"


class NouveauProjetForm(forms.Form):
    etablissement: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Établissement",
        queryset=None,
        to_field_name="public_id",
        empty_label="— choisir l'établissement —",
    )
    coordonnateur = ProChoiceField(
        label="Coordonnateur du projet",
        queryset=None,
        to_field_name="public_id",
        empty_label="— choisir le coordonnateur —",
        help_text="Le professionnel référent du projet : il recevra les rappels.",
    )

    def __init__(self, etablissements, professionnels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etablissement"].queryset = etablissements
        self.fields["coordonnateur"].queryset = professionnels


class ProjetDeVieForm(forms.Form):
    projet_de_vie = forms.CharField(
        label="Projet de vie",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Les aspirations de la personne, avec ses mots.",
    )
    coordonnateur = ProChoiceField(label="Coordonnateur du projet", queryset=None, to_field_name="public_id")

    def __init__(self, professionnels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordonnateur"].queryset = professionnels


class AttenteForm(forms.ModelForm):
    class Meta:
        model = Attente
        fields = ["source", "precision_source", "texte", "recueillie_le"]
        widgets = {"texte": forms.Textarea(attrs={"rows": 3}), "recueillie_le": DATE}


class BesoinForm(forms.ModelForm):
    code_serafin = CodeChoiceField(label="Besoin SERAFIN-PH", required=False, queryset=None)

    class Meta:
        model = Besoin
        fields = ["code_serafin", "categorie_libre", "description", "priorite"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, secteur_handicap: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        champ_a_choix(self, "code_serafin").queryset = CodeSerafin.objects.filter(
            jeu=JeuSerafin.BESOINS, actif=True, niveau__gte=2
        )
        self.fields[
            "categorie_libre"
        ].help_text = "Si aucun code SERAFIN-PH ne convient (ou hors secteur du handicap)."
        if not secteur_handicap:
            self.fields["code_serafin"].help_text = "Nomenclature du secteur du handicap : facultative ici."

    def clean(self):
        data = super().clean()
        if not data.get("code_serafin") and not (data.get("categorie_libre") or "").strip():
            self.add_error("categorie_libre", "Choisissez un besoin SERAFIN-PH ou saisissez une catégorie.")
        return data


class ObjectifForm(forms.ModelForm):
    besoin: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Besoin auquel il répond", required=False, queryset=None, to_field_name="public_id"
    )
    referent = ProChoiceField(label="Référent", queryset=None, to_field_name="public_id")

    class Meta:
        model = Objectif
        fields = ["libelle", "besoin", "referent", "echeance", "avis_usager"]
        widgets = {"echeance": DATE, "avis_usager": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, besoins, professionnels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["besoin"].queryset = besoins
        self.fields["referent"].queryset = professionnels


class ActionForm(forms.ModelForm):
    objectif: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Objectif", queryset=None, to_field_name="public_id"
    )
    prestation = CodeChoiceField(label="Prestation SERAFIN-PH", required=False, queryset=None)

    class Meta:
        model = Action
        fields = ["objectif", "libelle", "intervenant", "frequence", "moyens", "prestation"]

    def __init__(self, objectifs, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectif"].queryset = objectifs
        self.fields["prestation"].queryset = CodeSerafin.objects.filter(
            jeu__in=[JeuSerafin.PRESTATIONS_DIRECTES, JeuSerafin.PRESTATIONS_INDIRECTES],
            actif=True,
            niveau__gte=2,
        )


class AvisForm(forms.ModelForm):
    echeance_bilan = forms.DateField(
        label="Bilan prévu au plus tard le",
        required=False,
        widget=DATE,
        help_text="Laissé vide : un an après la validation (au plus tard).",
    )

    class Meta:
        model = AvisValidation
        fields = ["decision", "exprime_par", "nom_representant", "modalite", "date_avis", "motif"]
        widgets = {
            "date_avis": DATE,
            "motif": forms.Textarea(attrs={"rows": 2}),
            "decision": forms.RadioSelect,
        }


class BilanForm(forms.Form):
    date_bilan = forms.DateField(label="Date du bilan", widget=DATE)
    synthese = forms.CharField(
        label="Synthèse du bilan", widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    avis_usager = forms.CharField(
        label="Avis de la personne", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, objectifs, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectifs = list(objectifs)
        for objectif in self.objectifs:
            self.fields[f"resultat_{objectif.public_id}"] = forms.ChoiceField(
                label=f"Résultat : {objectif.libelle}",
                choices=[("", "— choisir —"), *ResultatObjectif.choices],
            )
            self.fields[f"commentaire_{objectif.public_id}"] = forms.CharField(
                label="Commentaire", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 1})
            )

    def resultats(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            o.pk: (data.get(f"resultat_{o.public_id}", ""), data.get(f"commentaire_{o.public_id}", ""))
            for o in self.objectifs
        }


class ObservationForm(forms.ModelForm):
    etablissement: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Établissement", queryset=None, to_field_name="public_id"
    )
    objectif: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Objectif du projet concerné", required=False, queryset=None, to_field_name="public_id"
    )
    date_observation = forms.DateTimeField(
        label="Date et heure",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"],
    )

    class Meta:
        model = Observation
        fields = ["etablissement", "date_observation", "categorie", "texte", "objectif", "confidentialite"]
        widgets = {"texte": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, etablissements, objectifs, *args, **kwargs):
        from dui.models import Etablissement

        super().__init__(*args, **kwargs)
        self.fields["etablissement"].queryset = Etablissement.objects.filter(
            pk__in=[e.pk for e in etablissements]
        )
        self.fields["objectif"].queryset = objectifs
        self.fields["confidentialite"].help_text = (
            "Équipe de soins : informations de santé, lues par les soignants seulement. Restreinte : lue par vous "
            "et l'encadrement (direction, chef de service)."
        )
        if not self.is_bound:
            self.initial.setdefault("date_observation", timezone.localtime().replace(second=0, microsecond=0))
            self.initial.setdefault("confidentialite", Confidentialite.EQUIPE)


class EvaluationBaseForm(forms.Form):
    etablissement: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Établissement", queryset=None, to_field_name="public_id"
    )
    date_evaluation = forms.DateField(label="Date de l'évaluation", widget=DATE)
    commentaire = forms.CharField(
        label="Commentaire", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, etablissements, *args, **kwargs):
        from dui.models import Etablissement

        super().__init__(*args, **kwargs)
        etablissements = list(etablissements)
        self.fields["etablissement"].queryset = Etablissement.objects.filter(
            pk__in=[e.pk for e in etablissements]
        )
        if len(etablissements) == 1:
            self.initial.setdefault("etablissement", etablissements[0].public_id)
        self.initial.setdefault("date_evaluation", timezone.localdate())


class AggirForm(EvaluationBaseForm):
    """The AGGIR grid. In "adverbes" mode each item is answered with the adverbs satisfied among S T C H,
    or explicitly "aucun" (an untouched item is not taken for a C); in "direct" mode with A / B / C."""

    mode = forms.ChoiceField(choices=ModeAggir.choices, widget=forms.HiddenInput)

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(etablissements, *args, **kwargs)
        self.items = aggir.items_ordonnes()

    @property
    def mode_choisi(self) -> str:
        mode = self.data.get("mode") if self.is_bound else self.initial.get("mode")
        return mode if mode in ModeAggir.values else ModeAggir.ADVERBES

    def reponses(self) -> tuple[dict[str, object], list[str]]:
        """(answers per item, items left unanswered or answered both "aucun" and with adverbs) from the
        raw POST data (the grid's checkboxes are not form fields)."""
        data, mode = self.data, self.mode_choisi
        reponses, manquants = {}, []
        for item in self.items:
            if mode == ModeAggir.DIRECT:
                valeur = data.get(f"code_{item}", "")
                if valeur in aggir.CODES:
                    reponses[item] = valeur
                else:
                    manquants.append(item)
            else:
                adverbes = [a for a in data.getlist(f"adv_{item}") if a in aggir.ADVERBES]  # type: ignore[attr-defined]
                if adverbes and data.get(f"aucun_{item}"):
                    manquants.append(item)
                elif adverbes:
                    reponses[item] = adverbes
                elif data.get(f"aucun_{item}"):
                    reponses[item] = []
                else:
                    manquants.append(item)
        return reponses, manquants

    def illustratives(self) -> dict[str, str]:
        return {
            v: str(self.data.get(f"ill_{v}"))
            for v in aggir.VARIABLES_ILLUSTRATIVES
            if self.data.get(f"ill_{v}") in aggir.CODES
        }


class SerafinForm(EvaluationBaseForm):
    pass


class GrilleForm(forms.ModelForm):
    etablissement: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Établissement", queryset=None, to_field_name="public_id"
    )
    interpretation_texte = forms.CharField(
        label="Interprétation du score",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Une ligne par seuil : « score minimal = interprétation », par exemple « 3 = Risque élevé ».",
    )
    questions = forms.CharField(
        label="Questions",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Une question par ligne : « Question | type | réponses ». Types : choix, oui_non, nombre, texte. "
        "Réponses d'un choix séparées par « ; » avec leurs points : « Jamais = 0 ; Parfois = 1 ; "
        "Souvent = 2 ». Ajoutez « (facultatif) » à la fin d'une question non obligatoire.",
    )

    class Meta:
        model = GrilleEvaluation
        fields = ["etablissement", "nom", "description", "categorie", "active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, etablissements, *args, verrouillee: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        champ_a_choix(self, "etablissement").queryset = etablissements
        if self.instance.pk:
            self.initial["etablissement"] = self.instance.etablissement.public_id
        self.verrouillee = verrouillee
        if verrouillee:
            self.fields["questions"].required = False
            self.fields["questions"].disabled = True
            self.fields["questions"].help_text = "Cette grille a déjà servi : ses questions ne changent plus."
            self.fields["etablissement"].disabled = True
        if self.instance.pk and not self.is_bound:
            self.initial["interpretation_texte"] = "\n".join(
                f"{_nombre(s['min'])} = {s['libelle']}" for s in self.instance.interpretation
            )
            self.initial["questions"] = "\n".join(_ligne_item(i) for i in self.instance.items.all())

    def clean_interpretation_texte(self):
        seuils = []
        for numero, ligne in enumerate(self.cleaned_data["interpretation_texte"].splitlines(), start=1):
            if not ligne.strip():
                continue
            minimum, sep, libelle = ligne.partition("=")
            try:
                valeur = float(minimum.strip().replace(",", "."))
            except ValueError:
                raise forms.ValidationError(
                    f"Ligne {numero} : « score minimal = interprétation » attendu."
                ) from None
            if not sep or not libelle.strip():
                raise forms.ValidationError(f"Ligne {numero} : l'interprétation manque.")
            seuils.append({"min": valeur, "libelle": libelle.strip()[:200]})
        return sorted(seuils, key=lambda s: s["min"], reverse=True)

    def clean_questions(self):
        if self.verrouillee:
            return []
        items = []
        for numero, ligne in enumerate(self.cleaned_data["questions"].splitlines(), start=1):
            if not ligne.strip():
                continue
            parties = [p.strip() for p in ligne.split("|")]
            libelle = parties[0]
            obligatoire = True
            if re.search(r"\(facultatif\)\s*$", libelle, re.IGNORECASE):
                libelle = re.sub(r"\s*\(facultatif\)\s*$", "", libelle, flags=re.IGNORECASE)
                obligatoire = False
            type_item = parties[1].lower() if len(parties) > 1 and parties[1] else TypeItem.OUI_NON
            if not libelle or len(libelle) > 300:
                raise forms.ValidationError(f"Ligne {numero} : la question est vide ou trop longue.")
            if type_item not in TypeItem.values:
                raise forms.ValidationError(
                    f"Ligne {numero} : type « {type_item} » inconnu (choix, oui_non, nombre ou texte)."
                )
            options = []
            if len(parties) > 2 and parties[2]:
                for option in parties[2].split(";"):
                    nom, _, points = option.partition("=")
                    try:
                        options.append(
                            {
                                "libelle": nom.strip(),
                                "points": float(points.strip().replace(",", ".")) if points.strip() else 0.0,
                            }
                        )
                    except ValueError:
                        raise forms.ValidationError(
                            f"Ligne {numero} : points de « {nom.strip()} » invalides."
                        ) from None
            if type_item == TypeItem.CHOIX and len(options) < 2:
                raise forms.ValidationError(f"Ligne {numero} : un choix demande au moins deux réponses.")
            items.append(
                {"libelle": libelle, "type_item": type_item, "options": options, "obligatoire": obligatoire}
            )
        if not items:
            raise forms.ValidationError("Ajoutez au moins une question.")
        return items


def _nombre(valeur: float) -> str:
    return str(int(valeur)) if float(valeur).is_integer() else str(valeur).replace(".", ",")


def _ligne_item(item) -> str:
    options = " ; ".join(f"{o['libelle']} = {_nombre(o.get('points') or 0)}" for o in item.options)
    suffixe = "" if item.obligatoire else " (facultatif)"
    return f"{item.libelle}{suffixe} | {item.type_item}" + (f" | {options}" if options else "")


class AnnulationForm(forms.Form):
    motif = forms.CharField(label="Motif de l'annulation", max_length=255)
