from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html

from dui.models import Etablissement

from .models import NiveauPSC, PolitiquePSC, Professionnel
from .roles import Categorie, Role


class ConnexionForm(forms.Form):
    email = forms.EmailField(
        label="Adresse e-mail",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        max_length=256,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres ou code de secours",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _champ_pin(label: str, autofocus: bool = False) -> forms.CharField:
    attrs: dict[str, Any] = {
        "autocomplete": "off",
        "inputmode": "numeric",
        "pattern": "[0-9]*",
        "class": "pin",
    }
    if autofocus:
        attrs["autofocus"] = True
    return forms.CharField(label=label, max_length=8, strip=True, widget=forms.PasswordInput(attrs=attrs))


class PinForm(forms.Form):
    """Taking a shared tablet back: the professional's PIN."""

    pin = _champ_pin("Votre code PIN", autofocus=True)


class DefinirPinForm(forms.Form):
    pin = _champ_pin("Nouveau code PIN", autofocus=True)
    confirmation = _champ_pin("Confirmez le code PIN")

    def clean_pin(self) -> str:
        from .postes import valider_pin

        pin: str = self.cleaned_data["pin"]
        valider_pin(pin)
        return pin

    def clean(self) -> Any:
        data = super().clean() or {}
        if data.get("pin") and data.get("pin") != data.get("confirmation"):
            self.add_error("confirmation", "Les deux codes ne sont pas identiques.")
        return data


class PosteForm(forms.Form):
    """Enrolling this browser as a shared tablet of one ESMS of the administrator's organisme."""

    etablissement = forms.ModelChoiceField(label="Établissement", queryset=Etablissement.objects.none())
    libelle = forms.CharField(
        label="Nom de la tablette",
        max_length=80,
        help_text="Par exemple « Chariot de soins, 1er étage » : il apparaît dans la liste des tablettes.",
    )

    def __init__(self, *args: Any, etablissements: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champ: Any = self.fields["etablissement"]
        champ.queryset = etablissements
        if etablissements.count() == 1:
            champ.initial = etablissements.first()
            champ.empty_label = None
        else:
            champ.empty_label = "Choisissez l'établissement"


class CodeEnrolementForm(forms.Form):
    code = forms.CharField(
        label="Code d'enrôlement remis par l'administrateur de votre organisme",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}
        ),
    )


class MotDePasseForm(forms.Form):
    actuel = forms.CharField(label="Mot de passe actuel", strip=False, widget=forms.PasswordInput)
    nouveau = forms.CharField(
        label="Nouveau mot de passe",
        strip=False,
        widget=forms.PasswordInput,
        help_text=password_validators_help_text_html(),
    )
    confirmation = forms.CharField(label="Confirmation", strip=False, widget=forms.PasswordInput)

    def __init__(self, user: Any, *args: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_actuel(self) -> Any:
        if not self.user.check_password(self.cleaned_data["actuel"]):
            raise forms.ValidationError("Le mot de passe actuel est incorrect.")
        return self.cleaned_data["actuel"]

    def clean(self) -> Any:
        data = super().clean() or {}
        if data.get("nouveau") and data.get("nouveau") != data.get("confirmation"):
            self.add_error("confirmation", "Les deux mots de passe ne sont pas identiques.")
        return data


class ProfessionnelForm(forms.ModelForm[Professionnel]):
    mot_de_passe = forms.CharField(
        label="Mot de passe initial",
        strip=False,
        widget=forms.PasswordInput,
        help_text=password_validators_help_text_html(),
    )

    class Meta:
        model = Professionnel
        fields = ["email", "nom", "prenom", "profession", "rpps", "est_admin_organisme", "est_dpo"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["mot_de_passe"]
            self.fields["email"].disabled = True

    def validate_unique(self) -> None:
        # Uniqueness of the e-mail across tenants is checked by the service (inside auth_lookup).
        pass


class HabilitationForm(forms.Form):
    etablissement = forms.ModelChoiceField(
        label="Établissement", queryset=Etablissement.objects.none(), to_field_name="public_id"
    )
    role = forms.ChoiceField(label="Rôle", choices=[("", "— choisir —"), *Role.choices])
    debut = forms.DateField(label="Début", widget=forms.DateInput(attrs={"type": "date"}))
    fin = forms.DateField(
        label="Fin (incluse)", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, etablissements: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champ = self.fields["etablissement"]
        assert isinstance(champ, forms.ModelChoiceField)
        champ.queryset = etablissements

    def clean(self) -> Any:
        data = super().clean() or {}
        if data.get("debut") and data.get("fin") and data["fin"] < data["debut"]:
            self.add_error("fin", "La date de fin ne peut pas précéder la date de début.")
        return data


class ExceptionForm(forms.Form):
    etablissement = forms.ModelChoiceField(
        label="Établissement", queryset=Etablissement.objects.none(), to_field_name="public_id"
    )
    categorie = forms.ChoiceField(label="Catégorie de données", choices=Categorie.choices)
    nature = forms.ChoiceField(
        label="Exception", choices=[("refuser", "Refuser (prime sur tout)"), ("accorder", "Accorder")]
    )

    def __init__(self, etablissements: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champ = self.fields["etablissement"]
        assert isinstance(champ, forms.ModelChoiceField)
        champ.queryset = etablissements


class BrisDeGlaceForm(forms.Form):
    motif = forms.CharField(
        label="Motif de l'accès exceptionnel",
        min_length=20,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "min_length": "Le motif doit compter au moins 20 caractères (%(show_value)d saisis)."
        },
    )


class RevueForm(forms.Form):
    avis = forms.ChoiceField(
        label="Avis",
        choices=[("justifie", "Justifié"), ("injustifie", "Non justifié")],
        widget=forms.RadioSelect,
    )
    commentaire = forms.CharField(
        label="Commentaire", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class PolitiquePSCForm(forms.Form):
    """The organisme's Pro Santé Connect rule: one choice per role (and for administrators and DPO), and the
    recency of the PSC authentication that a break-the-glass requires."""

    reauth_bris_de_glace_minutes = forms.IntegerField(
        label="Bris de glace : exiger une authentification Pro Santé Connect datant de moins de (minutes)",
        required=False,
        min_value=1,
        max_value=720,
        help_text="Laisser vide pour ne pas l'exiger. Entre 1 et 720 minutes.",
        error_messages={
            "min_value": "Indiquez au moins 1 minute (ou laissez vide).",
            "max_value": "Indiquez au plus 720 minutes (12 heures).",
            "invalid": "Indiquez un nombre entier de minutes.",
        },
    )

    def __init__(self, *args: Any, politique: PolitiquePSC, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champs: dict[str, forms.Field] = {}
        for categorie, libelle in PolitiquePSC.categories():
            champs[f"exigence_{categorie}"] = forms.ChoiceField(
                label=libelle,
                choices=NiveauPSC.choices,
                initial=politique.niveau(categorie),
                error_messages={"invalid_choice": "Choisissez exigée, proposée ou désactivée."},
            )
        self.fields = {**champs, **self.fields}
        self.fields["reauth_bris_de_glace_minutes"].initial = politique.reauth_bris_de_glace_minutes

    def exigences(self) -> dict[str, str]:
        return {c: self.cleaned_data[f"exigence_{c}"] for c, _ in PolitiquePSC.categories()}
