from __future__ import annotations

from django import forms

from dui.forms import DATE, EtablissementField

from .models import Masquage, StatutEnvoi


class EnvoiDmpForm(forms.Form):
    masquage = forms.MultipleChoiceField(
        label="Masquage",
        choices=Masquage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Sans case cochée, le document est visible normalement par la personne et les professionnels "
        "autorisés.",
    )


class EnvoiMssanteForm(forms.Form):
    destinataire = forms.ChoiceField(label="Correspondant du dossier", required=False)
    adresse = forms.EmailField(
        label="ou adresse MSSanté", required=False, max_length=254, help_text="…@….mssante.fr"
    )

    def __init__(self, correspondants, *args, partenaires=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.correspondants = {c.adresse_mss.lower(): c for c in correspondants}
        # the organisme's directory (annuaire): a hospital, a specialist not yet among the person's intervenants
        self.partenaires = {
            p.mssante.lower(): p for p in partenaires if p.mssante.lower() not in self.correspondants
        }
        self.fields["destinataire"].choices = [("", "—")] + [
            (c.adresse_mss.lower(), f"{c.nom} — {c.adresse_mss}") for c in correspondants
        ]
        if self.partenaires:
            self.fields["destinataire"].choices += [
                (
                    "Annuaire des partenaires",
                    [(cle, f"{p} — {p.mssante}") for cle, p in self.partenaires.items()],
                )
            ]

    def clean(self):
        donnees = super().clean()
        if not donnees.get("destinataire") and not donnees.get("adresse"):
            if not self.errors:
                raise forms.ValidationError("Choisissez un correspondant ou saisissez une adresse MSSanté.")
        return donnees

    @property
    def choix(self) -> tuple[str, str]:
        adresse = self.cleaned_data.get("adresse") or self.cleaned_data.get("destinataire") or ""
        correspondant = self.correspondants.get(adresse.lower())
        if correspondant is None and (partenaire := self.partenaires.get(adresse.lower())) is not None:
            return adresse, str(partenaire)
        return adresse, (
            f"{correspondant.nom} ({correspondant.get_role_display().lower()})" if correspondant else ""
        )


class FiltreEnvoisForm(forms.Form):
    etablissement = EtablissementField(required=False, empty_label="Tous mes établissements")
    statut = forms.ChoiceField(choices=[("", "Tous")] + StatutEnvoi.choices, required=False)


class ExportFhirForm(forms.Form):
    etablissement = EtablissementField()


class IndicateursForm(forms.Form):
    depuis = forms.DateField(label="Envois depuis le", required=False, widget=DATE)
