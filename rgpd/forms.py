from __future__ import annotations

from django import forms

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
