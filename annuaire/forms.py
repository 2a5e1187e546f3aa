from __future__ import annotations

from django import forms

from .models import GenrePartenaire, Partenaire


class PartenaireForm(forms.ModelForm[Partenaire]):
    class Meta:
        model = Partenaire
        fields = [
            "genre",
            "nom",
            "specialite",
            "rpps",
            "finess",
            "siret",
            "adresse",
            "telephone",
            "mssante",
            "actif",
        ]
        widgets = {"adresse": forms.Textarea(attrs={"rows": 2})}
        help_texts = {
            "rpps": "11 chiffres, pour un professionnel de santé.",
            "finess": "9 caractères, pour un établissement ou un service.",
            "mssante": "Pour lui adresser des documents par messagerie sécurisée de santé.",
        }

    def _post_clean(self) -> None:
        # the model's own checks (identifiers, uniqueness) run in the service, which reports them here
        pass


class RechercheForm(forms.Form):
    q = forms.CharField(label="Rechercher", required=False, max_length=100)
    genre = forms.ChoiceField(label="Type", required=False, choices=[("", "Tous"), *GenrePartenaire.choices])
