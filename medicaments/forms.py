"""Forms of the circuit du médicament (French labels and messages; a bad entry loses nothing)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone

from dui.forms import DATE, DecimalFrField, EtablissementField, HeuresField, choix_etablissements
from soins.models import JOURS_SEMAINE, MotifNonRealisation

from .models import (
    MOMENTS,
    ArticleStock,
    Consigne,
    EffetSiBesoin,
    Prescription,
    Specialite,
    StatutAdministration,
    Substance,
    TypeMouvement,
)


def choix_medicament(valeur: str):
    """ "S:<cis>" → Specialite, "D:<code>" → Substance (the values of the search results), or None."""
    genre, _, code = (valeur or "").partition(":")
    if genre == "S" and code.isdigit():
        return Specialite.objects.filter(cis=code).first()
    if genre == "D" and code.isdigit():
        return Substance.objects.filter(code=code).first()
    return None


class PrescriptionForm(forms.ModelForm):
    etablissement = EtablissementField()
    medicament = forms.CharField(
        label="Médicament",
        max_length=20,
        error_messages={
            "required": "Recherchez puis choisissez un médicament (nom commercial, substance ou code CIP13)."
        },
    )
    dose = DecimalFrField(
        label="Dose",
        required=True,
        max_length=12,
        error_messages={"required": "Indiquez la dose (ex. 1 ou 0,5)."},
    )
    moments = forms.MultipleChoiceField(
        label="Moments",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, f"{libelle} ({heure:%H h})") for code, libelle, heure in MOMENTS],
    )
    autres_heures = HeuresField(
        label="Autres heures",
        required=False,
        max_length=200,
        help_text="Séparées par des virgules : 6 h, 14 h 30.",
    )
    jours_semaine = forms.TypedMultipleChoiceField(
        label="Jours", choices=JOURS_SEMAINE, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    date_debut = forms.DateField(label="À partir du", widget=DATE)
    duree_jours = forms.IntegerField(
        label="Durée (jours)",
        required=False,
        min_value=1,
        max_value=3650,
        help_text="Vide : sans date de fin.",
    )
    consignes = forms.MultipleChoiceField(
        label="Consignes", choices=Consigne.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Prescription
        fields = [
            "etablissement",
            "dose",
            "unite",
            "voie",
            "recurrence",
            "intervalle",
            "jours_semaine",
            "si_besoin",
            "indication",
            "max_par_24h",
            "consignes",
            "commentaire",
            "dosage_dci",
        ]

    # The order a prescriber thinks in (issue 23, item 8): the drug, the dose and its unit (which follows the
    # presentation chosen), the route, then when — on demand or at set times —, from when and how long, the
    # instructions; the ESMS last (asked only of a person followed in several).
    field_order = [
        "medicament",
        "dosage_dci",
        "dose",
        "unite",
        "voie",
        "si_besoin",
        "indication",
        "max_par_24h",
        "moments",
        "autres_heures",
        "recurrence",
        "intervalle",
        "jours_semaine",
        "date_debut",
        "duree_jours",
        "consignes",
        "commentaire",
        "etablissement",
    ]

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choix_etablissements(self, etablissements)
        self.fields["dosage_dci"].help_text = "Pour une prescription en DCI : « 500 mg »."
        self.fields["intervalle"].help_text = "Pour « tous les N jours », compté à partir du début."
        if not self.is_bound:
            for champ, valeur in (
                ("date_debut", timezone.localdate()),
                ("voie", "orale"),
                ("unite", "comprime"),
            ):
                self.initial[champ] = self.initial.get(champ) or valeur
        self.choix = None

    def clean_medicament(self):
        choix = choix_medicament(self.cleaned_data["medicament"])
        if choix is None:
            raise forms.ValidationError("Médicament introuvable dans la base : recherchez-le à nouveau.")
        self.choix = choix
        return self.cleaned_data["medicament"]

    def clean_dose(self):
        dose = self.cleaned_data.get("dose")
        if dose is not None and not (0 < dose < 100000):
            raise forms.ValidationError("La dose doit être un nombre positif.")
        return dose

    def clean(self):
        data = super().clean()
        heures = {h for code, _, h in MOMENTS if code in (data.get("moments") or [])}
        heures |= set(data.get("autres_heures") or [])
        self.heures = sorted(heures)
        return data

    def construire(self, usager) -> Prescription:
        """The unsaved line (the service validates and checks it)."""
        d = self.cleaned_data
        tz = timezone.get_current_timezone()
        aujourd_hui = timezone.localdate()
        debut_jour = d["date_debut"]
        debut = (
            timezone.now()
            if debut_jour <= aujourd_hui
            else datetime.datetime.combine(debut_jour, datetime.time(0), tzinfo=tz)
        )
        fin = None
        if d.get("duree_jours"):
            fin = datetime.datetime.combine(
                debut_jour + datetime.timedelta(days=d["duree_jours"]), datetime.time(0), tzinfo=tz
            )
        p = self.instance
        p.usager, p.etablissement = usager, d["etablissement"]
        p.specialite = self.choix if isinstance(self.choix, Specialite) else None
        p.substance = self.choix if isinstance(self.choix, Substance) else None
        p.heures, p.debut, p.fin = self.heures, debut, fin
        p.consignes = list(d.get("consignes") or [])
        return p


class ArretForm(forms.Form):
    motif = forms.CharField(
        label="Motif de l'arrêt", max_length=300, error_messages={"required": "Indiquez le motif de l'arrêt."}
    )


class OrdonnanceForm(forms.Form):
    etablissement = EtablissementField()

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choix_etablissements(self, etablissements)


class CrAdministrationForm(forms.Form):
    etablissement = EtablissementField()
    du = forms.DateField(label="Du", widget=DATE)
    au = forms.DateField(label="Au", widget=DATE)

    def __init__(self, etablissements, *args, **kwargs):
        super().__init__(*args, prefix="cr", **kwargs)
        choix_etablissements(self, etablissements)
        if not self.is_bound:
            self.initial.update(du=timezone.localdate() - datetime.timedelta(days=6), au=timezone.localdate())


class AdministrationForm(forms.Form):
    statut = forms.ChoiceField(
        choices=[c for c in StatutAdministration.choices if c[0] != StatutAdministration.ANNULE]
    )
    motif = forms.ChoiceField(choices=[("", "Motif…")] + MotifNonRealisation.choices, required=False)
    precision = forms.CharField(max_length=200, required=False)
    precision_refus = forms.CharField(max_length=200, required=False)
    reporte_a = forms.TimeField(required=False)
    code = forms.CharField(max_length=120, required=False)
    confirmer_horaire = forms.BooleanField(required=False)
    cle_idempotence = forms.CharField(max_length=64, required=False)  # set by the device (offline queue)


class SiBesoinForm(forms.Form):
    indication = forms.CharField(
        max_length=200,
        error_messages={"required": "Indiquez pourquoi la dose est donnée (douleur, fièvre…)."},
    )
    code = forms.CharField(max_length=120, required=False)


class ReevaluationForm(forms.Form):
    """The effect of a "si besoin" dose: relief, pain on the 0-10 numeric scale, an observation. Validation only:
    the unit pages' section draws its own controls (medicaments/_reevaluation.html), without this form."""

    effet = forms.ChoiceField(
        label="Effet observé",
        choices=EffetSiBesoin.choices,
        error_messages={"required": "Choisissez l'effet observé."},
    )
    douleur_apres = forms.TypedChoiceField(
        label="Douleur maintenant (0 = aucune, 10 = maximale)",
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    commentaire = forms.CharField(label="Observation", max_length=300, required=False)
    suivant = forms.CharField(required=False, widget=forms.HiddenInput)


class ArticleForm(forms.ModelForm):
    medicament = forms.CharField(
        label="Médicament",
        max_length=20,
        error_messages={"required": "Recherchez puis choisissez un médicament."},
    )

    class Meta:
        model = ArticleStock
        fields = ["seuil_alerte", "sortie_par_administration"]

    def clean_medicament(self):
        choix = choix_medicament(self.cleaned_data["medicament"])
        if not isinstance(choix, Specialite):
            raise forms.ValidationError("Choisissez une spécialité (un nom commercial) dans la recherche.")
        self.choix = choix
        return self.cleaned_data["medicament"]


class MouvementForm(forms.Form):
    article = forms.CharField(widget=forms.HiddenInput)
    type_mouvement = forms.ChoiceField(
        label="Mouvement", choices=[c for c in TypeMouvement.choices if c[0] != TypeMouvement.ADMINISTRATION]
    )
    quantite = forms.IntegerField(
        label="Quantité (unités)",
        min_value=0,
        max_value=1_000_000,
        error_messages={"required": "Indiquez une quantité."},
    )
    lot = forms.CharField(label="Lot", max_length=40, required=False)
    peremption = forms.DateField(label="Péremption", required=False, widget=DATE)
    commentaire = forms.CharField(label="Commentaire", max_length=200, required=False)
