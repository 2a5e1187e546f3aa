"""Forms of the soins. Choices of ESMS are given by the view (within the tenant and the user's
habilitations); objects are referred to by their public id."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from dui.forms import DATE, DecimalFrField, EtablissementField, HeuresField, choix_etablissements

from .models import (
    DEFINITIONS,
    JOURS_SEMAINE,
    Allergie,
    Antecedent,
    Constante,
    DossierSoins,
    Intervenant,
    MotifNonRealisation,
    SoinPlanifie,
    StatutRealisation,
    Transmission,
    TypeConstante,
    Vaccination,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
FORMATS_DATETIME = ["%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"]


class AllergieForm(forms.ModelForm):
    class Meta:
        model = Allergie
        fields = [
            "nature",
            "type_agent",
            "agent",
            "reaction",
            "severite",
            "certitude",
            "date_constat",
            "source",
        ]
        widgets = {"date_constat": DATE}


class MotifForm(forms.Form):
    motif = forms.CharField(label="Motif", max_length=300)


class DossierSoinsForm(forms.ModelForm):
    class Meta:
        model = DossierSoins
        fields = [
            "regime",
            "regime_precisions",
            "texture",
            "liquides",
            "risque_chute",
            "risque_escarre",
            "risque_denutrition",
            "risque_fausse_route",
            "remarques",
        ]
        widgets = {"remarques": forms.Textarea(attrs={"rows": 2})}


class AntecedentForm(forms.ModelForm):
    class Meta:
        model = Antecedent
        fields = ["type_antecedent", "libelle", "code_cim10", "date_debut", "commentaire"]


class VaccinationForm(forms.ModelForm):
    class Meta:
        model = Vaccination
        fields = ["vaccin", "date_vaccination", "lot", "commentaire"]
        widgets = {"date_vaccination": DATE}


class IntervenantForm(forms.ModelForm):
    """An intervenant taken from the partner directory (its name, RPPS, phone and MSSanté address copied)
    or typed once for this person."""

    class Meta:
        model = Intervenant
        fields = ["role", "partenaire", "nom", "specialite", "telephone", "rpps", "adresse_mss"]
        help_texts = {"nom": "Inutile si vous le choisissez dans l'annuaire."}

    def __init__(self, *args, partenaires=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partenaire"].queryset = (
            partenaires if partenaires is not None else self.fields["partenaire"].queryset.none()
        )
        self.fields["nom"].required = False


# --- Constantes ------------------------------------------------------------------------------------------

# The constantes of a round, in the order carers take them.
CONSTANTES_TOUR = [
    TypeConstante.TENSION,
    TypeConstante.POULS,
    TypeConstante.TEMPERATURE,
    TypeConstante.SPO2,
    TypeConstante.DOULEUR_EN,
    TypeConstante.GLYCEMIE,
    TypeConstante.POIDS,
]


class ConstantesForm(forms.Form):
    """Every constante of one person at one moment; empty fields are simply not measured. Field names
    are the constante codes (``tension`` and ``tension_2`` for blood pressure)."""

    mesure_le = forms.DateTimeField(
        label="Mesurées le", widget=DATETIME, input_formats=FORMATS_DATETIME, required=False
    )
    commentaire = forms.CharField(label="Commentaire", max_length=200, required=False)

    def __init__(self, *args, types=None, etablissements=None, heure_seule=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.types = list(types or TypeConstante.values)
        self.heure_seule = heure_seule
        if heure_seule:  # a round: today, only the time is typed
            del self.fields["mesure_le"]
            self.fields["heure"] = forms.TimeField(
                label="Heure",
                required=False,
                widget=forms.TimeInput(
                    attrs={"type": "time", "aria-label": "Heure de la mesure"}, format="%H:%M"
                ),
            )
        if "mesure_le" in self.fields:
            self.fields["mesure_le"].widget.attrs["aria-label"] = "Date et heure de la mesure"
        if etablissements is not None:
            self.fields["etablissement"] = EtablissementField()
            choix_etablissements(self, etablissements)
        for code in self.types:
            d = DEFINITIONS[code]
            self.fields[code] = DecimalFrField(label=f"{d.libelle} ({d.unite})")
            self.fields[code].widget.attrs["aria-label"] = d.libelle
            if d.libelle_2:
                self.fields[f"{code}_2"] = DecimalFrField(label=f"{d.libelle_2} ({d.unite})")
                self.fields[f"{code}_2"].widget.attrs["aria-label"] = d.libelle_2
        if not self.is_bound:
            maintenant = timezone.localtime().replace(second=0, microsecond=0)
            self.initial.setdefault(
                "heure" if heure_seule else "mesure_le", maintenant.time() if heure_seule else maintenant
            )

    def clean(self):
        data = super().clean()
        if self.heure_seule and data.get("heure"):
            data["mesure_le"] = datetime.datetime.combine(
                timezone.localdate(), data["heure"], tzinfo=timezone.get_current_timezone()
            )
        for code in self.types:
            d = DEFINITIONS[code]
            if d.libelle_2 and (data.get(code) is None) != (data.get(f"{code}_2") is None):
                self.add_error(code, "Saisissez la systolique et la diastolique.")
        champ = "heure" if self.heure_seule else "mesure_le"
        if (
            any(data.get(code) is not None for code in self.types)
            and not data.get("mesure_le")
            and champ not in self.errors
        ):
            self.add_error(
                champ,
                "Indiquez l'heure de la mesure."
                if self.heure_seule
                else "Indiquez la date et l'heure de la mesure.",
            )
        return data

    def mesures(self) -> list[Constante]:
        data = self.cleaned_data
        return [
            Constante(
                type_constante=code,
                valeur=data[code],
                valeur_2=data.get(f"{code}_2"),
                mesure_le=data["mesure_le"],
                commentaire=data.get("commentaire") or "",
            )
            for code in self.types
            if data.get(code) is not None
        ]

    def champs_constantes(self):
        for code in self.types:
            d = DEFINITIONS[code]
            yield code, d, self[code], (self[f"{code}_2"] if d.libelle_2 else None)


class SeuilForm(forms.Form):
    type_constante = forms.ChoiceField(
        label="Constante",
        choices=[
            (c, lib)
            for c, lib in TypeConstante.choices
            if DEFINITIONS[c].seuils != (None, None) or c in (TypeConstante.POIDS, TypeConstante.DIURESE)
        ],
    )
    minimum = DecimalFrField(label="Seuil bas")
    maximum = DecimalFrField(label="Seuil haut")
    minimum_2 = DecimalFrField(label="Diastolique : seuil bas")
    maximum_2 = DecimalFrField(label="Diastolique : seuil haut")


# --- Transmissions ----------------------------------------------------------------------------------------


class TransmissionForm(forms.ModelForm):
    etablissement = EtablissementField()
    ecrite_le = forms.DateTimeField(label="Date et heure", widget=DATETIME, input_formats=FORMATS_DATETIME)

    class Meta:
        model = Transmission
        fields = [
            "etablissement",
            "ecrite_le",
            "cible",
            "donnees",
            "actions",
            "resultats",
            "texte",
            "importante",
        ]
        widgets = {f: forms.Textarea(attrs={"rows": 2}) for f in ("donnees", "actions", "resultats", "texte")}
        labels = {
            "texte": "Transmission narrative (sans cible)",
            "importante": "Importante (à lire en priorité)",
        }

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choix_etablissements(self, etablissements)
        self.fields["cible"].help_text = "Ex. douleur, chute, alimentation, comportement, peau."
        if not self.is_bound:
            self.initial.setdefault("ecrite_le", timezone.localtime().replace(second=0, microsecond=0))


class TransmissionRapideForm(forms.ModelForm):
    """From the day view: now, in the person's current ESMS."""

    class Meta:
        model = Transmission
        fields = ["cible", "donnees", "actions", "resultats", "texte", "importante"]
        widgets = {
            # the form arrives when its panel opens: the focus goes to its first field (keyboard users land
            # in it, not on the link it replaced)
            "cible": forms.TextInput(attrs={"autofocus": True}),
            **{f: forms.Textarea(attrs={"rows": 2}) for f in ("donnees", "actions", "resultats", "texte")},
        }
        labels = {"texte": "Ou transmission narrative (sans cible)", "importante": "Importante"}


# --- Plan de soins ----------------------------------------------------------------------------------------


class SoinPlanifieForm(forms.ModelForm):
    etablissement = EtablissementField()
    heures = HeuresField(
        label="Heures", help_text="Séparées par des virgules : 7:30, 14h, 21 h 15.", max_length=200
    )
    jours_semaine = forms.TypedMultipleChoiceField(
        label="Jours", choices=JOURS_SEMAINE, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = SoinPlanifie
        fields = [
            "etablissement",
            "type_soin",
            "libelle",
            "consignes",
            "heures",
            "recurrence",
            "intervalle",
            "jours_semaine",
            "date_debut",
            "date_fin",
        ]
        widgets = {"date_debut": DATE, "date_fin": DATE, "consignes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choix_etablissements(self, etablissements)
        self.fields[
            "intervalle"
        ].help_text = "Pour « tous les N jours » : compté à partir de la date de début."
        if not self.is_bound:
            self.initial["date_debut"] = self.initial.get("date_debut") or timezone.localdate()


class ValidationSoinForm(forms.Form):
    jour = forms.DateField()
    heure = forms.TimeField()
    statut = forms.ChoiceField(
        choices=[c for c in StatutRealisation.choices if c[0] != StatutRealisation.ANNULE]
    )
    motif = forms.ChoiceField(choices=[("", "Motif…")] + MotifNonRealisation.choices, required=False)
    precision = forms.CharField(max_length=200, required=False)
    reporte_a = forms.TimeField(required=False)
    confirmer_horaire = forms.BooleanField(required=False)
    cle_idempotence = forms.CharField(max_length=64, required=False)  # set by the device (offline queue)


class DluForm(forms.Form):
    etablissement = EtablissementField()

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choix_etablissements(self, etablissements)
