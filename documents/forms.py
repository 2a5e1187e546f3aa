"""Forms of the gestion documentaire. The checks of the files themselves are the service's
(``documents.fichiers``): the form only carries them, and says which file was stopped while it streamed in."""

from __future__ import annotations

from typing import Any

from django import forms

from .models import ClasseDocument, Confidentialite


class PlusieursFichiers(forms.ClearableFileInput):
    allow_multiple_selected = True


class FichiersField(forms.FileField):
    widget = PlusieursFichiers

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        if isinstance(data, list | tuple):
            return [f for f in data if f]
        return [data] if data else []


class EtiquettesField(forms.CharField):
    def clean(self, value: Any) -> list[str]:
        texte = super().clean(value) or ""
        return [e.strip() for e in texte.replace(";", ",").split(",") if e.strip()]


ASSEMBLER = "pages"
MODES = [
    ("fichiers", "Un document par fichier"),
    (ASSEMBLER, "Les photos sont les pages d'un seul document (scan)"),
]


class ClassementForm(forms.Form):
    classe = forms.ModelChoiceField(
        label="Type de document", queryset=ClasseDocument.objects.none(), empty_label="— choisir —"
    )
    sejour: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Séjour (établissement)", queryset=None, empty_label="— choisir —"
    )
    titre = forms.CharField(label="Titre", max_length=200, required=False)
    date_document = forms.DateField(
        label="Date du document",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    source_partenaire: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Émetteur (annuaire)", queryset=None, required=False, empty_label="— aucun —"
    )
    source_libre = forms.CharField(
        label="Émetteur (autre)", max_length=200, required=False,
        help_text="Par exemple : CHU, service de gériatrie ; tribunal judiciaire ; MDPH du département.",
    )  # fmt: skip
    etiquettes = EtiquettesField(
        label="Étiquettes", max_length=400, required=False, help_text="Séparées par des virgules."
    )
    confidentialite = forms.ChoiceField(
        label="Confidentialité",
        required=False,
        choices=[("", "Celle du type de document"), *Confidentialite.choices],
    )

    def __init__(self, *args: Any, classes=None, sejours=None, partenaires=None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champs: dict[str, Any] = self.fields
        champs["classe"].queryset = classes
        champs["sejour"].queryset = sejours
        champs["sejour"].label_from_instance = lambda s: (
            f"{s.etablissement.nom} — entrée le {s.date_entree:%d/%m/%Y}"
            + (f", sortie le {s.date_sortie:%d/%m/%Y}" if s.date_sortie else " (en cours)")
        )
        if partenaires is None:
            del self.fields["source_partenaire"]
        else:
            champs["source_partenaire"].queryset = partenaires


class DepotForm(ClassementForm):
    fichiers = FichiersField(
        label="Fichiers",
        help_text="PDF, JPEG, PNG ou HEIC (photo d'iPhone). Plusieurs fichiers à la fois.",
        widget=PlusieursFichiers(attrs={"accept": "application/pdf,image/jpeg,image/png,image/heic,.heic"}),
    )
    mode = forms.ChoiceField(
        label="Plusieurs fichiers", choices=MODES, initial="fichiers", widget=forms.RadioSelect
    )

    field_order = ["fichiers", "mode", "classe", "sejour", "titre", "date_document"]

    def __init__(self, *args: Any, trop_gros: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trop_gros = trop_gros or []

    def clean_fichiers(self) -> list:
        from django.conf import settings

        from dui.uploads import taille_lisible

        if self.trop_gros:
            limite = taille_lisible(settings.DUI_MAX_DOCUMENT)
            raise forms.ValidationError(
                [
                    f"« {nom} » dépasse la taille maximale de {limite} : rien n'a été enregistré."
                    for nom in self.trop_gros
                ]
            )
        return self.cleaned_data.get("fichiers") or []


class VersionForm(forms.Form):
    fichiers = FichiersField(
        label="Nouvelle version",
        help_text="Un PDF, ou les photos des pages (elles forment un seul document).",
        widget=PlusieursFichiers(attrs={"accept": "application/pdf,image/jpeg,image/png,image/heic,.heic"}),
    )

    def __init__(self, *args: Any, trop_gros: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.trop_gros = trop_gros or []

    clean_fichiers = DepotForm.clean_fichiers


class MotifForm(forms.Form):
    motif = forms.CharField(
        label="Motif", max_length=300, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class RechercheForm(forms.Form):
    q = forms.CharField(label="Rechercher dans les documents", max_length=200, required=False)


class ClasseForm(forms.ModelForm[ClasseDocument]):
    class Meta:
        model = ClasseDocument
        fields = [
            "libelle",
            "categorie",
            "confidentialite",
            "conservation_annees",
            "conservation_depart",
            "code_loinc",
            "ordre",
            "actif",
        ]

    def _post_clean(self) -> None:
        pass  # the service checks the model and reports here
