from __future__ import annotations

from django import forms

from dui.forms import SelectRapide
from usagers.forms import IdentificationStricteForm


class DroitAccesForm(IdentificationStricteForm):
    motif = forms.CharField(
        label="Demande de la personne (date, référence du courrier ou du formulaire)",
        max_length=255,
        error_messages={"required": "Indiquez la demande de la personne."},
    )


class RegleForm(forms.Form):
    archivage_apres_mois = forms.IntegerField(
        label="Archivage (mois après la fin du dernier séjour)", min_value=1, max_value=600
    )
    conservation_annees = forms.IntegerField(
        label="Conservation (années après la fin du dernier séjour)", min_value=1, max_value=100
    )
    source = forms.CharField(
        label="Source ou justification", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


class SurveillanceForm(forms.Form):
    du = forms.DateField(label="Du", widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", widget=forms.DateInput(attrs={"type": "date"}))
    professionnel: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Professionnel",
        queryset=None,
        required=False,
        to_field_name="public_id",
        empty_label="Tous",
        widget=SelectRapide,  # every professional of the organisme: thousands of options
    )
    seuil_dossiers = forms.IntegerField(
        label="Dossiers distincts par jour au-delà desquels alerter", min_value=1, max_value=10000
    )
    nuit_debut = forms.IntegerField(label="Nuit : de (heure)", min_value=0, max_value=23)
    nuit_fin = forms.IntegerField(label="à (heure)", min_value=0, max_value=23)

    def __init__(self, professionnels, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professionnel"].queryset = professionnels

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au"):
            if data["au"] < data["du"]:
                raise forms.ValidationError("La fin de la période précède son début.")
            if (data["au"] - data["du"]).days > 366:
                raise forms.ValidationError("Choisissez une période d'un an au plus.")
        return data
