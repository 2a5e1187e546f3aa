from __future__ import annotations

from django import forms

from dui.forms import SelectRapide
from dui.models import Etablissement
from habilitations.forms import BrisDeGlaceForm

from .models import ModeAccueil, TypeDocument, Usager


class PrenomsField(forms.CharField):
    """Birth first names typed as on the identity document, separated by commas or spaces."""

    def to_python(self, value):
        value = super().to_python(value)
        return [p for p in (part.strip() for part in value.replace(",", " ").split()) if p]

    def prepare_value(self, value):
        return " ".join(value) if isinstance(value, list | tuple) else value


class UsagerForm(forms.ModelForm):
    prenoms_naissance = PrenomsField(
        label="Prénoms de naissance",
        max_length=300,
        help_text="Tous les prénoms de l'état civil, dans l'ordre.",
    )

    class Meta:
        model = Usager
        fields = [
            "nom_naissance",
            "prenoms_naissance",
            "premier_prenom",
            "date_naissance",
            "sexe",
            "lieu_naissance_insee",
            "nom_usage",
            "prenom_utilise",
        ]
        widgets = {"date_naissance": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean(self):
        data = super().clean()
        if data.get("prenoms_naissance") and not data.get("premier_prenom"):
            data["premier_prenom"] = data["prenoms_naissance"][0]
            self.instance.premier_prenom = data["premier_prenom"]
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["premier_prenom"].required = False
        self.fields["premier_prenom"].help_text = "Laissé vide : le premier des prénoms de naissance."


class AdmissionForm(forms.Form):
    etablissement = forms.ModelChoiceField(
        label="Établissement d'accueil", queryset=Etablissement.objects.none(), to_field_name="public_id"
    )
    mode_accueil = forms.ChoiceField(
        label="Mode d'accueil", choices=[("", "— choisir —"), *ModeAccueil.choices]
    )
    date_entree = forms.DateField(label="Date d'entrée", widget=forms.DateInput(attrs={"type": "date"}))
    chambre = forms.CharField(label="Chambre / place", max_length=30, required=False)
    provenance = forms.CharField(label="Provenance", max_length=200, required=False)
    confirmer_doublon = forms.BooleanField(
        label="J'ai vérifié : il s'agit d'une autre personne que les dossiers ressemblants", required=False
    )

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etablissement"].queryset = etablissements


class DocumentForm(forms.Form):
    type_document = forms.ChoiceField(
        label="Document d'identité présenté", choices=[("", "— choisir —"), *TypeDocument.choices]
    )
    commentaire = forms.CharField(label="Commentaire", max_length=255, required=False)


class DossierAdministratifForm(forms.ModelForm):
    class Meta:
        from .models import DossierAdministratif

        model = DossierAdministratif
        fields = [
            "adresse",
            "code_postal",
            "commune",
            "telephone",
            "email",
            "regime",
            "caisse",
            "fin_droits_amo",
            "exoneration",
            "amc",
            "amc_adherent",
            "fin_droits_amc",
            "directives_anticipees",
            "directives_lieu",
        ]
        widgets = {
            f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for f in ("fin_droits_amo", "fin_droits_amc")
        }

    def __init__(self, *args, voit_soins: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not voit_soins:  # advance directives belong to the care record
            del self.fields["directives_anticipees"]
            del self.fields["directives_lieu"]


class ProcheForm(forms.ModelForm):
    class Meta:
        from .models import Proche

        model = Proche
        fields = [
            "nom",
            "prenom",
            "lien",
            "telephone",
            "telephone_2",
            "email",
            "adresse",
            "personne_confiance",
            "confiance_designee_le",
            "a_prevenir",
            "ordre_appel",
            "aidant",
            "representant_legal",
        ]
        widgets = {
            "confiance_designee_le": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "telephone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "telephone_2": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }


class MesureForm(forms.ModelForm):
    class Meta:
        from .models import MesureProtection

        model = MesureProtection
        fields = [
            "type_mesure",
            "mandataire",
            "mandataire_telephone",
            "tribunal",
            "date_jugement",
            "date_debut",
            "date_fin",
        ]
        widgets = {
            f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            for f in ("date_jugement", "date_debut", "date_fin")
        }


class ConsentementForm(forms.ModelForm):
    class Meta:
        from .models import Consentement

        model = Consentement
        fields = ["type_consentement", "reponse", "exprime_par", "date_recueil", "commentaire"]
        widgets = {"date_recueil": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class AbsenceForm(forms.ModelForm):
    class Meta:
        from .models import Absence

        model = Absence
        fields = ["sejour", "motif", "debut", "fin", "commentaire"]
        widgets = {f: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for f in ("debut", "fin")}

    def __init__(self, *args, sejours=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sejour"].queryset = sejours
        self.fields["sejour"].to_field_name = "public_id"
        self.fields["sejour"].label = "Séjour"


class MoisForm(forms.Form):
    mois = forms.DateField(
        label="Mois",
        input_formats=["%Y-%m"],
        required=False,
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
    )


class SortieForm(forms.Form):
    date_sortie = forms.DateField(label="Date de sortie", widget=forms.DateInput(attrs={"type": "date"}))
    motif_sortie = forms.ChoiceField(
        label="Motif de sortie",
        choices=[
            ("", "— choisir —"),
            ("Retour à domicile", "Retour à domicile"),
            ("Décès", "Décès"),
            ("Hospitalisation au long cours", "Hospitalisation au long cours"),
            ("Orientation vers un autre établissement", "Orientation vers un autre établissement"),
            ("Fin de prise en charge", "Fin de prise en charge"),
            ("Autre", "Autre"),
        ],
    )
    destination = forms.CharField(label="Destination", max_length=200, required=False)


class TransfertForm(forms.Form):
    etablissement = forms.ModelChoiceField(
        label="Établissement d'accueil", queryset=Etablissement.objects.none(), to_field_name="public_id"
    )
    date_transfert = forms.DateField(
        label="Date du transfert", widget=forms.DateInput(attrs={"type": "date"})
    )
    chambre = forms.CharField(label="Chambre / place", max_length=30, required=False)

    def __init__(self, *args, etablissements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["etablissement"].queryset = etablissements


class IdentificationStricteForm(forms.Form):
    """A person designated by the matricule INS, or by the birth name, first name and birth date together
    (break-the-glass and per-dossier exceptions: nothing is listed, the traits must match exactly)."""

    matricule_ins = forms.CharField(label="Matricule INS", required=False, max_length=22)
    nom_naissance = forms.CharField(label="Nom de naissance", required=False, max_length=100)
    premier_prenom = forms.CharField(label="Premier prénom de naissance", required=False, max_length=100)
    date_naissance = forms.DateField(
        label="Date de naissance", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if not data.get("matricule_ins") and not (
            data.get("nom_naissance") and data.get("premier_prenom") and data.get("date_naissance")
        ):
            raise forms.ValidationError(
                "Désignez la personne par son matricule INS, ou par son nom de naissance, son premier prénom "
                "et sa date de naissance."
            )
        return data

    def designer(self, organisme_id: int):
        """The one dossier of the organisme the valid traits designate, or None with a French error on the
        form (it says no more than "none" or "several")."""
        from .selectors import identifier_strictement

        data = self.cleaned_data
        trouves = list(
            identifier_strictement(
                organisme_id,
                matricule_ins=data.get("matricule_ins") or "",
                nom_naissance=data.get("nom_naissance") or "",
                premier_prenom=data.get("premier_prenom") or "",
                date_naissance=data.get("date_naissance"),
            )[:2]
        )
        if len(trouves) == 1:
            return trouves[0]
        self.add_error(
            None,
            "Aucun dossier de l'organisme ne correspond exactement à ces traits."
            if not trouves
            else "Plusieurs dossiers correspondent : désignez la personne par son matricule INS.",
        )
        return None


class BrisDeGlaceDossierForm(IdentificationStricteForm, BrisDeGlaceForm):
    """The person, by strict traits, and the motive of the break-the-glass (the same field as on an ESMS)."""


class ExceptionDossierForm(IdentificationStricteForm):
    professionnel = forms.ModelChoiceField(
        label="Professionnel",
        queryset=Usager.objects.none(),
        to_field_name="public_id",
        widget=SelectRapide,  # every professional of the organisme: thousands of options
    )
    categorie = forms.ChoiceField(label="Catégorie de données")
    nature = forms.ChoiceField(
        label="Exception", choices=[("refuser", "Refuser (prime sur tout)"), ("accorder", "Accorder")]
    )

    field_order = ["professionnel", "matricule_ins", "nom_naissance", "premier_prenom", "date_naissance"]

    def __init__(self, professionnels, categories, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["professionnel"].queryset = professionnels
        self.fields["categorie"].choices = categories
