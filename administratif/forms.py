from __future__ import annotations

import datetime

from django import forms


class MoisForm(forms.Form):
    mois = forms.CharField(
        label="Mois", widget=forms.TextInput(attrs={"type": "month"}), help_text="Par exemple 2026-11."
    )

    def clean_mois(self) -> datetime.date:
        texte = self.cleaned_data["mois"].strip()
        try:
            annee, mois = (int(x) for x in texte.split("-"))
            return datetime.date(annee, mois, 1)
        except ValueError:
            raise forms.ValidationError(
                "Indiquez le mois sous la forme AAAA-MM (par exemple 2026-11)."
            ) from None


class SeuilForm(forms.Form):
    seuil_absence_heures = forms.IntegerField(
        label="Seuil d'absence (heures)",
        min_value=24,
        max_value=24 * 60,
        help_text="72 heures : CASF, art. R314-204. Un règlement départemental peut en fixer un autre.",
    )
