from __future__ import annotations

from django import forms

from documents.forms import FichiersField, PlusieursFichiers
from dui.forms import DATE

from .models import AccesPortail, Qualite


class InvitationForm(forms.Form):
    qualite = forms.ChoiceField(label="Qui", choices=Qualite.choices)
    proche = forms.ModelChoiceField(label="Proche", queryset=None, required=False, to_field_name="public_id")
    etablissement = forms.ModelChoiceField(label="Établissement", queryset=None, to_field_name="public_id")
    email = forms.EmailField(label="E-mail où envoyer l'invitation", max_length=254)
    voir_projet = forms.BooleanField(label="Projet personnalisé", required=False, initial=True)
    voir_agenda = forms.BooleanField(label="Rendez-vous et activités", required=False, initial=True)
    voir_documents = forms.BooleanField(label="Documents partagés", required=False, initial=True)
    messagerie = forms.BooleanField(label="Messages avec l'équipe", required=False, initial=True)
    accord_personne_le = forms.DateField(
        label="Accord de la personne recueilli le", required=False, widget=DATE
    )
    accord_modalite = forms.CharField(
        label="Comment l'accord a été recueilli",
        required=False,
        max_length=200,
        help_text="Par exemple : « oralement, lors de l'entretien avec sa référente ».",
    )

    def __init__(self, *args, proches=None, etablissements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proche"].queryset = proches
        self.fields["etablissement"].queryset = etablissements
        if etablissements is not None and len(etablissements) == 1:
            self.fields["etablissement"].initial = etablissements[0].public_id


class RefusForm(forms.Form):
    proche = forms.ModelChoiceField(label="Proche", queryset=None, to_field_name="public_id")
    etablissement = forms.ModelChoiceField(label="Établissement", queryset=None, to_field_name="public_id")
    motif = forms.CharField(label="Ce que la personne a dit", max_length=300)

    def __init__(self, *args, proches=None, etablissements=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proche"].queryset = proches
        self.fields["etablissement"].queryset = etablissements


class MotifForm(forms.Form):
    motif = forms.CharField(label="Motif", max_length=300)


class ReglageForm(forms.ModelForm):
    class Meta:
        model = AccesPortail
        fields = ["voir_projet", "voir_agenda", "voir_documents", "messagerie"]


class MessageForm(forms.Form):
    texte = forms.CharField(label="Message", widget=forms.Textarea(attrs={"rows": 5}), max_length=10_000)
    fichiers = FichiersField(
        label="Pièces jointes (PDF ou photos, 5 au plus)",
        widget=PlusieursFichiers(attrs={"accept": "application/pdf,image/jpeg,image/png,image/heic"}),
    )


class NouveauFilForm(MessageForm):
    objet = forms.CharField(label="Objet", max_length=150)
    field_order = ["objet", "texte", "fichiers"]


class AttributionForm(forms.Form):
    referent = forms.ModelChoiceField(
        label="Confier à", queryset=None, required=False, empty_label="Personne (boîte de l'établissement)"
    )

    def __init__(self, *args, professionnels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referent"].queryset = professionnels


# --- the portal ---------------------------------------------------------------------------------------------


class ConnexionForm(forms.Form):
    email = forms.CharField(label="Adresse e-mail", max_length=254)
    password = forms.CharField(label="Mot de passe", widget=forms.PasswordInput, max_length=200)


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres",
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )


class CreationCompteForm(forms.Form):
    prenom = forms.CharField(label="Prénom", max_length=100)
    nom = forms.CharField(label="Nom", max_length=100)
    password = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput,
        max_length=200,
        help_text="12 caractères au moins ; évitez un mot de passe courant ou proche de votre nom.",
    )
    password2 = forms.CharField(label="Le même mot de passe", widget=forms.PasswordInput, max_length=200)

    def clean(self):
        donnees = super().clean()
        if donnees.get("password") and donnees.get("password") != donnees.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        return donnees


class ChoixFacteurForm(forms.Form):
    second_facteur = forms.ChoiceField(
        label="Comment confirmer votre identité à chaque connexion",
        choices=[
            ("totp", "Avec une application d'authentification sur mon téléphone (recommandé)"),
            ("courriel", "Avec un code reçu par e-mail"),
        ],
        widget=forms.RadioSelect,
    )


class AvisForm(forms.Form):
    decision = forms.ChoiceField(
        label="Votre réponse",
        choices=[("accord", "Je suis d'accord avec ce projet"), ("refus", "Je ne suis pas d'accord")],
        widget=forms.RadioSelect,
    )
    motif = forms.CharField(
        label="Votre avis, avec vos mots",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=3000,
        help_text="Obligatoire si vous n'êtes pas d'accord : dites ce qui ne vous convient pas.",
    )


# --- quality -------------------------------------------------------------------------------------------------


class ReclamationForm(forms.ModelForm):
    usager = forms.ModelChoiceField(
        label="Personne concernée (facultatif)", queryset=None, required=False, to_field_name="public_id"
    )

    class Meta:
        from .models import Reclamation

        model = Reclamation
        fields = ["canal", "recue_le", "auteur", "coordonnees", "usager", "objet", "description"]
        widgets = {"recue_le": DATE, "description": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, usagers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usager"].queryset = usagers
        self.fields["canal"].choices = [c for c in self.fields["canal"].choices if c[0] != "portail"]


class ReclamationPortailForm(forms.Form):
    objet = forms.CharField(label="Objet", max_length=200)
    description = forms.CharField(
        label="Ce qui ne va pas, et ce que vous attendez",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=10_000,
    )


class EtapeReclamationForm(forms.Form):
    texte = forms.CharField(
        label="Texte", required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000
    )


class EvenementForm(forms.ModelForm):
    usager = forms.ModelChoiceField(
        label="Personne accompagnée concernée (facultatif)",
        queryset=None,
        required=False,
        to_field_name="public_id",
    )

    class Meta:
        from .models import EvenementIndesirable

        model = EvenementIndesirable
        fields = [
            "survenu_le", "lieu", "type_evenement", "usager", "personnes_impliquees", "description",
            "actions_immediates", "consequences",
        ]  # fmt: skip
        widgets = {
            "survenu_le": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "description": forms.Textarea(attrs={"rows": 5}),
            "actions_immediates": forms.Textarea(attrs={"rows": 3}),
            "consequences": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, usagers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["usager"].queryset = usagers


class AnalyseForm(forms.Form):
    from .models import Gravite as _Gravite

    gravite = forms.TypedChoiceField(label="Gravité", choices=_Gravite.choices, coerce=int)
    causes = forms.CharField(
        label="Causes identifiées", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    eigs = forms.BooleanField(label="Événement indésirable grave associé aux soins (EIGS)", required=False)
    dysfonctionnement_grave = forms.BooleanField(
        label="Dysfonctionnement grave à signaler aux autorités (CASF L331-8-1)", required=False
    )
    famille_informee = forms.BooleanField(label="La personne ou sa famille a été informée", required=False)


class ActionCorrectiveForm(forms.Form):
    libelle = forms.CharField(label="Action corrective", max_length=300)
    responsable = forms.ModelChoiceField(label="Responsable", queryset=None)
    echeance = forms.DateField(label="Échéance", widget=DATE)

    def __init__(self, *args, professionnels=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsable"].queryset = professionnels


class ClotureForm(forms.Form):
    bilan = forms.CharField(label="Bilan", widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000)


class DeclarationArsForm(forms.Form):
    jour = forms.DateField(label="Déclaré à l'ARS le", widget=DATE)


# --- CVS ------------------------------------------------------------------------------------------------------


class MembreCVSForm(forms.ModelForm):
    class Meta:
        from .models import MembreCVS

        model = MembreCVS
        fields = ["college", "nom", "fonction", "election", "voix", "debut_mandat", "fin_mandat"]
        widgets = {"debut_mandat": DATE, "fin_mandat": DATE}

    def __init__(self, *args, elections=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["election"].queryset = elections


class ElectionCVSForm(forms.ModelForm):
    class Meta:
        from .models import ElectionCVS

        model = ElectionCVS
        fields = ["college", "date", "inscrits", "votants"]
        widgets = {"date": DATE}


class ReunionCVSForm(forms.ModelForm):
    class Meta:
        from .models import ReunionCVS

        model = ReunionCVS
        fields = ["date", "lieu", "ordre_du_jour"]
        widgets = {
            "date": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
            "ordre_du_jour": forms.Textarea(attrs={"rows": 4}),
        }


class TenueCVSForm(forms.Form):
    presents = forms.ModelMultipleChoiceField(
        label="Membres présents", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    compte_rendu = forms.CharField(
        label="Relevé de conclusions", widget=forms.Textarea(attrs={"rows": 8}), max_length=50_000
    )
    suites = forms.CharField(
        label="Suites données aux avis précédents",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=20_000,
    )

    def __init__(self, *args, membres=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presents"].queryset = membres


# --- Enquêtes -------------------------------------------------------------------------------------------------


class QuestionnaireForm(forms.Form):
    titre = forms.CharField(label="Titre du questionnaire", max_length=200)
    introduction = forms.CharField(
        label="Introduction", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class QuestionForm(forms.Form):
    from .models import TypeQuestion as _Type

    libelle = forms.CharField(label="Question", max_length=300, required=False)
    type_question = forms.ChoiceField(label="Type", choices=_Type.choices, initial="echelle")
    options = forms.CharField(
        label="Réponses proposées (séparées par « ; »)", required=False, max_length=1000
    )
    obligatoire = forms.BooleanField(label="Obligatoire", required=False)


QuestionsFormSet = forms.formset_factory(QuestionForm, extra=8, max_num=40)


class CampagneForm(forms.ModelForm):
    class Meta:
        from .models import Campagne

        model = Campagne
        fields = ["questionnaire", "titre", "public", "debut", "fin"]
        widgets = {"debut": DATE, "fin": DATE}

    def __init__(self, *args, questionnaires=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["questionnaire"].queryset = questionnaires


def formulaire_de_reponse(campagne, donnees=None) -> forms.Form:
    """A form with a field per question of the campaign's questionnaire."""
    from .models import ECHELLE_SATISFACTION, TypeQuestion

    champs: dict[str, forms.Field] = {}
    for q in campagne.questionnaire.questions.all():
        nom = f"q_{q.pk}"
        if q.type_question == TypeQuestion.ECHELLE:
            champs[nom] = forms.ChoiceField(
                label=q.libelle, required=q.obligatoire, widget=forms.RadioSelect,
                choices=[(str(v), f"{v} — {libelle}") for v, libelle in ECHELLE_SATISFACTION.items()],
            )  # fmt: skip
        elif q.type_question == TypeQuestion.OUI_NON:
            champs[nom] = forms.ChoiceField(
                label=q.libelle,
                required=q.obligatoire,
                widget=forms.RadioSelect,
                choices=[("oui", "Oui"), ("non", "Non")],
            )
        elif q.type_question == TypeQuestion.CHOIX:
            champs[nom] = forms.ChoiceField(
                label=q.libelle,
                required=q.obligatoire,
                widget=forms.RadioSelect,
                choices=[(o, o) for o in q.options],
            )
        else:
            champs[nom] = forms.CharField(
                label=q.libelle, required=q.obligatoire, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                help_text="N'écrivez pas votre nom : la réponse est anonyme.",
            )  # fmt: skip
    classe = type("ReponseForm", (forms.Form,), champs)
    return classe(donnees)


def valeurs_du_formulaire(form) -> dict:
    return {int(nom[2:]): valeur for nom, valeur in form.cleaned_data.items() if nom.startswith("q_")}
