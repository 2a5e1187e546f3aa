from __future__ import annotations

from django import forms

from dui.models import Unite
from usagers.forms import PrenomsField

from .models import DecisionCommission, DemandeAdmission

_DATE = {"type": "date"}


class DemandeForm(forms.ModelForm):
    prenoms_naissance = PrenomsField(label="Prénoms de naissance", max_length=300)

    class Meta:
        model = DemandeAdmission
        fields = [
            "etablissement",
            "nom_naissance",
            "prenoms_naissance",
            "date_naissance",
            "sexe",
            "lieu_naissance_insee",
            "contact",
            "origine",
            "reference_viatrajectoire",
            "cdaph_numero_decision",
            "cdaph_date_decision",
            "cdaph_fin_validite",
            "orientation",
            "mode_accueil",
            "date_reception",
            "date_souhaitee",
            "priorite",
            "commentaire",
        ]
        widgets = {
            **{
                f: forms.DateInput(attrs=_DATE, format="%Y-%m-%d")
                for f in (
                    "date_naissance",
                    "cdaph_date_decision",
                    "cdaph_fin_validite",
                    "date_reception",
                    "date_souhaitee",
                )
            },
            "commentaire": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, etablissements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etablissement"].queryset = etablissements
        self.fields["etablissement"].to_field_name = "public_id"


class DecisionForm(forms.ModelForm):
    class Meta:
        model = DecisionCommission
        fields = ["date_commission", "decision", "motif"]
        widgets = {
            "date_commission": forms.DateInput(attrs=_DATE, format="%Y-%m-%d"),
            "motif": forms.Textarea(attrs={"rows": 2}),
        }


class AdmissionForm(forms.Form):
    date_entree = forms.DateField(label="Date d'entrée", widget=forms.DateInput(attrs=_DATE))
    unite = forms.ModelChoiceField(
        label="Unité", queryset=Unite.objects.none(), required=False, to_field_name="public_id"
    )
    chambre = forms.CharField(label="Chambre / place", max_length=30, required=False)
    confirmer_doublon = forms.BooleanField(
        label="J'ai vérifié : il s'agit d'une autre personne que les dossiers ressemblants", required=False
    )

    def __init__(self, *args, unites=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unite"].queryset = unites


class PieceForm(forms.Form):
    libelle = forms.CharField(label="Libellé", max_length=120)
    fichier = forms.FileField(label="Fichier (PDF, JPEG ou PNG)")


class AnnulationForm(forms.Form):
    motif = forms.CharField(label="Motif", max_length=300)
