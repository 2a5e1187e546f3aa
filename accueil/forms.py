"""Forms of the shell pages (the access journal's filters)."""

from __future__ import annotations

from django import forms

from dui.forms import SelectRapide
from dui.models import TypeAcces
from habilitations.models import Professionnel


class JournalFiltreForm(forms.Form):
    professionnel = forms.ModelChoiceField(
        label="Professionnel",
        required=False,
        queryset=Professionnel.objects.none(),
        to_field_name="public_id",
        widget=SelectRapide,  # every professional of the organisme: thousands of options
    )
    objet_id = forms.UUIDField(
        label="Identifiant du dossier / de l'objet",
        required=False,
        error_messages={"invalid": "Identifiant invalide (format UUID attendu)."},
    )
    type_acces = forms.ChoiceField(
        label="Type d'accès", required=False, choices=[("", "Tous")] + TypeAcces.choices
    )
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, organisme_id, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professionnel"].queryset = Professionnel.objects.filter(
            organisme_id=organisme_id
        ).order_by("nom", "prenom", "pk")

    def clean(self):
        data = super().clean()
        if data.get("du") and data.get("au") and data["au"] < data["du"]:
            self.add_error("au", "La date de fin précède la date de début.")
        return data

    def filtres(self) -> dict:
        data = self.cleaned_data
        return {
            "professionnel_id": data["professionnel"].pk if data.get("professionnel") else None,
            "objet_id": data.get("objet_id"),
            "type_acces": data.get("type_acces") or "",
            "du": data.get("du"),
            "au": data.get("au"),
        }
