from __future__ import annotations

import datetime
from typing import Any

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


class DroitForm(forms.ModelForm):
    class Meta:
        from .models import DroitAide

        model = DroitAide
        fields = [
            "type_droit",
            "libelle",
            "organisme_payeur",
            "reference",
            "debut",
            "fin",
            "montant",
            "taux",
            "gir",
            "orientation",
            "justificatif",
            "commentaire",
        ]
        widgets = {
            "debut": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "fin": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, justificatifs=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        champs: dict = self.fields
        champs["justificatif"].queryset = justificatifs
        champs["justificatif"].required = False
        champs["justificatif"].label_from_instance = lambda d: (
            f"{d.titre} ({(d.date_document or d.cree_le):%d/%m/%Y})"
        )

    def _post_clean(self) -> None:
        pass  # the service checks the model and reports here


class EtablirForm(forms.Form):
    modele: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Modèle", queryset=None, empty_label="— choisir —"
    )
    sejour: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Séjour", queryset=None, empty_label=None
    )
    avenant_de: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Avenant au contrat",
        queryset=None,
        required=False,
        empty_label="— (pas un avenant) —",
    )

    def __init__(self, *args, modeles=None, sejours=None, contrats=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        champs: dict = self.fields
        champs["modele"].queryset = modeles
        champs["sejour"].queryset = sejours
        champs["sejour"].label_from_instance = lambda s: (
            f"{s.etablissement.nom} — admission du {s.date_entree:%d/%m/%Y}"
        )
        champs["avenant_de"].queryset = contrats


class RemiseForm(forms.Form):
    remis_le = forms.DateField(
        label="Remis le", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    remis_a = forms.CharField(label="Remis à", max_length=120, required=False,
                              help_text="La personne, ou son représentant légal (nom).")  # fmt: skip


class SignatureForm(forms.Form):
    signataire = forms.CharField(label="Nom de la personne qui signe", max_length=120)
    qualite = forms.ChoiceField(label="Elle signe en tant que", choices=[])
    signature = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs) -> None:
        from .models import QualiteSignataire

        super().__init__(*args, **kwargs)
        champs: dict = self.fields
        champs["qualite"].choices = QualiteSignataire.choices

    def image(self) -> bytes:
        import base64
        import binascii

        valeur = self.cleaned_data.get("signature") or ""
        prefixe = "data:image/png;base64,"
        if not valeur.startswith(prefixe):
            return b""
        try:
            return base64.b64decode(valeur[len(prefixe) :], validate=True)
        except (binascii.Error, ValueError):
            return b""


class CopieSigneeForm(forms.Form):
    from documents.forms import FichiersField

    fichiers = FichiersField(label="Copie signée (PDF ou photos des pages)")
    signataire = forms.CharField(label="Signée par", max_length=120)
    qualite = forms.ChoiceField(label="En tant que", choices=[])

    def __init__(self, *args, **kwargs) -> None:
        from .models import QualiteSignataire

        super().__init__(*args, **kwargs)
        champs: dict = self.fields
        champs["qualite"].choices = QualiteSignataire.choices


class RefusForm(forms.Form):
    motif = forms.CharField(label="Ce que la personne a dit", max_length=300)


class RemisesForm(forms.Form):
    livret = forms.DateField(
        label="Livret d'accueil remis le",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    charte = forms.DateField(label="Charte des droits et libertés remise le", required=False,
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    reglement = forms.DateField(label="Règlement de fonctionnement remis le", required=False,
                                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))  # fmt: skip
    remis_a = forms.CharField(label="Remis à", max_length=120, required=False)


class ModeleForm(forms.ModelForm):
    class Meta:
        from .models import ModeleContrat

        model = ModeleContrat
        fields = ["nom", "genre", "corps", "actif"]
        widgets = {"corps": forms.Textarea(attrs={"rows": 24})}

    def _post_clean(self) -> None:
        pass
