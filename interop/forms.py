from __future__ import annotations

from typing import Any

from django import forms

from dui.forms import DATE, EtablissementField, champ_a_choix

from .models import Masquage, StatutEnvoi, StatutMessage


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


# --- MSSanté inbox -----------------------------------------------------------------------------------------


class FiltreMessagesForm(forms.Form):
    etablissement = EtablissementField(required=False)
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous"), *StatutMessage.choices],
        initial=StatutMessage.A_CLASSER,
    )


class ClasserMessageForm(forms.Form):
    usager: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Dossier de la personne",
        queryset=None,
        to_field_name="public_id",
        empty_label="— choisir la personne —",
        error_messages={"required": "Choisissez la personne dans le dossier de laquelle classer le message."},
    )
    classe: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Type de document",
        queryset=None,
        to_field_name="public_id",
        empty_label="— choisir le type —",
        error_messages={"required": "Choisissez le type du document dans le plan de classement."},
    )
    titre = forms.CharField(label="Titre", max_length=200, required=False)

    def __init__(self, usagers, classes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        champ_a_choix(self, "usager").queryset = usagers
        champ_a_choix(self, "usager").label_from_instance = lambda u: (
            f"{u.nom_naissance.upper()} {u.premier_prenom} — né(e) le {u.date_naissance:%d/%m/%Y}"
            + (f" — INS {u.matricule_ins}" if u.matricule_ins else "")
        )
        champ_a_choix(self, "classe").queryset = classes


class EcarterMessageForm(forms.Form):
    motif = forms.CharField(
        label="Motif",
        max_length=300,
        help_text="Par exemple : message publicitaire, doublon, destinataire erroné. Le message reste consultable.",
        error_messages={"required": "Indiquez pourquoi ce message est écarté (il reste consultable)."},
    )


class BoiteMssanteForm(forms.Form):
    adresse = forms.EmailField(
        label="Adresse de la boîte applicative",
        max_length=254,
        help_text="…@….mssante.fr, fournie par l'opérateur",
    )
    active = forms.BooleanField(
        label="Relever cette boîte (toutes les cinq minutes)", required=False, initial=True
    )
