from __future__ import annotations

from django import forms

from usagers.forms import IdentificationStricteForm


class DroitAccesForm(IdentificationStricteForm):
    motif = forms.CharField(
        label="Demande de la personne (date, référence du courrier ou du formulaire)",
        max_length=255,
        error_messages={"required": "Indiquez la demande de la personne."},
    )
