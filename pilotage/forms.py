from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from dui.forms import DATE

from .models import CoupePathos

DUREE_MAX = datetime.timedelta(days=3 * 366)


def annee_en_cours() -> tuple[datetime.date, datetime.date]:
    aujourd_hui = timezone.localdate()
    return aujourd_hui.replace(month=1, day=1), aujourd_hui.replace(month=12, day=31)


class PeriodeForm(forms.Form):
    du = forms.DateField(label="Du", widget=DATE)
    au = forms.DateField(label="Au", widget=DATE)

    def clean(self):
        donnees = super().clean()
        du, au = donnees.get("du"), donnees.get("au")
        if du and au:
            if au < du:
                raise forms.ValidationError("La fin de la période ne peut pas précéder son début.")
            if au - du > DUREE_MAX:
                raise forms.ValidationError("La période ne peut pas dépasser trois ans.")
            if du.year < 2000:
                raise forms.ValidationError("La période commence au plus tôt en 2000.")
        return donnees

    def periode(self) -> tuple[datetime.date, datetime.date]:
        """The chosen period, or the current year when the form is empty or wrong."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["du"], self.cleaned_data["au"]
        return annee_en_cours()


class CoupePathosForm(forms.ModelForm):
    class Meta:
        model = CoupePathos
        fields = ["date_coupe", "pmp", "gmp", "valide_le", "valide_par", "commentaire"]
        widgets = {"date_coupe": DATE, "valide_le": DATE, "commentaire": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        donnees = super().clean()
        coupe, validation = donnees.get("date_coupe"), donnees.get("valide_le")
        aujourd_hui = timezone.localdate()
        if coupe and coupe > aujourd_hui:
            self.add_error("date_coupe", "La coupe ne peut pas être datée dans le futur.")
        if validation and validation > aujourd_hui:
            self.add_error("valide_le", "La validation ne peut pas être datée dans le futur.")
        elif validation and coupe and validation < coupe:
            self.add_error("valide_le", "La validation ne peut pas précéder la coupe.")
        return donnees


class RapportForm(forms.Form):
    annee = forms.TypedChoiceField(label="Année", coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        courante = timezone.localdate().year
        self.fields["annee"].choices = [(a, str(a)) for a in range(courante, courante - 6, -1)]
        self.fields["annee"].initial = courante - 1
