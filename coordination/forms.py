"""Forms of the agenda. Dates and times are typed in Paris wall time (``<input type=date/time>`` on a
tablet) and combined here into aware instants."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from accompagnement.models import CodeSerafin, JeuSerafin
from dui.forms import DATE, champ_a_choix

from .models import GenreEvenement, GenreRessource, GenreReunion, ModeTransport, Presence, StatutEvenement
from .recurrence import NOMS_JOURS, Regle, en_heure_de_paris

HEURE = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def instant(jour: datetime.date, heure: datetime.time) -> datetime.datetime:
    return en_heure_de_paris(datetime.datetime.combine(jour, heure))


class ProfessionnelsField(forms.ModelMultipleChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name()


class ProfessionnelField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name()


class Groupes:
    """The form in groups for a tablet: the essentials open, the rest (preparation, transport, repetition)
    folded unless they hold a value or an error."""

    GROUPES: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def groupes(self) -> list[dict[str, Any]]:
        form: Any = self
        places = {nom for _, noms in self.GROUPES for nom in noms}
        resultat = [
            {"titre": "", "champs": [form[n] for n in form.fields if n not in places], "ouvert": True}
        ]
        for titre, noms in self.GROUPES:
            champs = [form[n] for n in noms if n in form.fields]
            ouvert = any(c.errors for c in champs) or (
                form.is_bound and any(form.data.get(c.html_name) not in (None, "", "1") for c in champs)
            )
            resultat.append({"titre": titre, "champs": champs, "ouvert": ouvert})
        return resultat


TRANSPORT = ("mode_transport", "vehicule", "conducteur", "heure_depart", "heure_retour")
REPETITION = ("repetition", "intervalle", "jours_semaine", "jusqu_au")


class _Creneau(forms.Form):
    jour = forms.DateField(label="Date", widget=DATE)
    heure_debut = forms.TimeField(label="De", widget=HEURE)
    heure_fin = forms.TimeField(label="À", widget=HEURE)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        jour, debut, fin = donnees.get("jour"), donnees.get("heure_debut"), donnees.get("heure_fin")
        if jour and debut and fin:
            if fin <= debut:
                self.add_error("heure_fin", "L'heure de fin doit suivre l'heure de début.")
            else:
                donnees["debut"], donnees["fin"] = instant(jour, debut), instant(jour, fin)
        return donnees


class _Repetition(forms.Form):
    repetition = forms.ChoiceField(
        label="Répétition",
        required=False,
        choices=[
            ("", "Une seule fois"),
            ("quotidienne", "Tous les N jours"),
            ("hebdomadaire", "Toutes les N semaines"),
        ],
    )
    intervalle = forms.IntegerField(
        label="Tous les (N)", min_value=1, max_value=52, required=False, initial=1
    )
    jours_semaine = forms.TypedMultipleChoiceField(
        label="Jours",
        required=False,
        coerce=int,
        choices=list(enumerate(NOMS_JOURS)),
        widget=forms.CheckboxSelectMultiple,
    )
    jusqu_au = forms.DateField(
        label="Jusqu'au (inclus)",
        required=False,
        widget=DATE,
        help_text="Vide : sans fin (les occurrences sont créées un an à l'avance, puis chaque nuit).",
    )

    def regle(self) -> Regle | None:
        d = self.cleaned_data
        if not d.get("repetition"):
            return None
        return Regle(
            d["repetition"], d.get("intervalle") or 1, d.get("jusqu_au"), tuple(d.get("jours_semaine") or ())
        )

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        if donnees.get("repetition"):
            jour, fin = donnees.get("jour"), donnees.get("jusqu_au")
            if not fin:
                pass  # without end: a year ahead, then extended every night
            elif jour and fin < jour:
                self.add_error("jusqu_au", "La fin de la répétition précède la première date.")
            elif jour and fin > jour + datetime.timedelta(days=366):
                self.add_error(
                    "jusqu_au", "Une répétition couvre au plus un an : vous la prolongerez ensuite."
                )
        return donnees


class _Transport(forms.Form):
    mode_transport = forms.ChoiceField(
        label="Transport",
        required=False,
        choices=[("", "Aucun transport à organiser"), *ModeTransport.choices],
    )
    vehicule: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Véhicule", required=False, queryset=None, to_field_name="public_id"
    )
    conducteur = ProfessionnelField(
        label="Conducteur ou accompagnant", required=False, queryset=None, to_field_name="public_id"
    )
    heure_depart = forms.TimeField(label="Départ", required=False, widget=HEURE)
    heure_retour = forms.TimeField(label="Retour", required=False, widget=HEURE)

    def choix_de_l_etablissement(self, ressources: Any, professionnels: Any) -> None:
        """The ESMS's rooms, vehicles and professionals (the view chose them: tenant and habilitations)."""
        form: Any = self
        champ_a_choix(form, "ressource").queryset = ressources.exclude(genre=GenreRessource.VEHICULE)
        champ_a_choix(form, "vehicule").queryset = ressources.filter(genre=GenreRessource.VEHICULE)
        champ_a_choix(form, "professionnels").queryset = professionnels
        champ_a_choix(form, "conducteur").queryset = professionnels

    def transport(self) -> dict[str, Any] | None:
        d = self.cleaned_data
        if not d.get("mode_transport"):
            return None
        return {
            "mode": d["mode_transport"],
            "vehicule": d.get("vehicule"),
            "conducteur": d.get("conducteur"),
            "depart": instant(d["jour"], d["heure_depart"]),
            "retour": instant(d["jour"], d["heure_retour"]),
        }

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        if donnees.get("mode_transport"):
            for champ in ("heure_depart", "heure_retour"):
                if not donnees.get(champ):
                    self.add_error(champ, "Indiquez l'heure du transport.")
        return donnees


class RendezVousForm(Groupes, _Transport, _Repetition, _Creneau):
    GROUPES = (
        (
            "Préparation",
            ("preparation", "a_jeun", "documents_a_apporter", "dlu_a_imprimer", "accompagnement_requis"),
        ),
        ("Transport", TRANSPORT),
        ("Répétition", REPETITION),
    )

    genre = forms.ChoiceField(
        label="Type",
        choices=[
            (g, GenreEvenement(g).label)
            for g in (GenreEvenement.RDV_EXTERNE, GenreEvenement.RDV_INTERNE, GenreEvenement.VISITE)
        ],
    )
    titre = forms.CharField(
        label="Objet", max_length=200, help_text="Ex. « Consultation cardiologie », « Kiné », « Coiffeur »."
    )
    partenaire: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Chez (annuaire des partenaires)", required=False, queryset=None, to_field_name="public_id"
    )
    lieu = forms.CharField(label="Lieu", max_length=200, required=False)
    ressource: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Salle ou équipement", required=False, queryset=None, to_field_name="public_id"
    )
    professionnels = ProfessionnelsField(
        label="Professionnels concernés",
        required=False,
        queryset=None,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    preparation = forms.CharField(
        label="Consignes de préparation", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    a_jeun = forms.BooleanField(label="À jeun", required=False)
    documents_a_apporter = forms.CharField(label="Documents à apporter", max_length=300, required=False)
    dlu_a_imprimer = forms.BooleanField(label="Imprimer le DLU", required=False)
    accompagnement_requis = forms.BooleanField(label="Accompagnement par un professionnel", required=False)

    field_order = [
        "genre",
        "titre",
        "jour",
        "heure_debut",
        "heure_fin",
        "partenaire",
        "lieu",
        "ressource",
        "professionnels",
        "preparation",
        "a_jeun",
        "documents_a_apporter",
        "dlu_a_imprimer",
        "accompagnement_requis",
        "mode_transport",
        "vehicule",
        "conducteur",
        "heure_depart",
        "heure_retour",
        "repetition",
        "intervalle",
        "jours_semaine",
        "jusqu_au",
    ]

    def __init__(
        self, *args: Any, partenaires: Any, ressources: Any, professionnels: Any, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        champ_a_choix(self, "partenaire").queryset = partenaires
        self.choix_de_l_etablissement(ressources, professionnels)


class ActiviteForm(Groupes, _Transport, _Repetition, _Creneau):
    GROUPES = (
        (
            "Réunion : personne, projet, invités, ordre du jour",
            ("usager", "projet", "partenaires", "ordre_du_jour"),
        ),
        ("Transport (sortie)", TRANSPORT),
        ("Répétition", REPETITION),
    )

    genre = forms.ChoiceField(
        label="Type",
        choices=[(g, GenreEvenement(g).label) for g in (GenreEvenement.ACTIVITE, GenreEvenement.REUNION)],
    )
    genre_reunion = forms.ChoiceField(
        label="Type de réunion", required=False, choices=[("", "—"), *GenreReunion.choices]
    )
    titre = forms.CharField(label="Intitulé", max_length=200)
    lieu = forms.CharField(label="Lieu", max_length=200, required=False)
    ressource: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Salle", required=False, queryset=None, to_field_name="public_id"
    )
    professionnels = ProfessionnelsField(
        label="Animateurs ou participants professionnels",
        required=False,
        queryset=None,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    capacite = forms.IntegerField(label="Places", required=False, min_value=1, max_value=200)
    prestation: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Prestation SERAFIN-PH délivrée", required=False, queryset=None
    )
    participants: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Personnes inscrites",
        required=False,
        queryset=None,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )
    usager: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Personne concernée (réunion)", required=False, queryset=None, to_field_name="public_id"
    )
    projet: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Projet personnalisé préparé (réunion de projet)",
        required=False,
        queryset=None,
        to_field_name="public_id",
    )
    partenaires: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Partenaires invités (réunion)", required=False, queryset=None, to_field_name="public_id"
    )
    ordre_du_jour = forms.CharField(
        label="Ordre du jour", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    field_order = [
        "genre",
        "genre_reunion",
        "titre",
        "jour",
        "heure_debut",
        "heure_fin",
        "lieu",
        "ressource",
        "professionnels",
        "capacite",
        "prestation",
        "participants",
        "usager",
        "projet",
        "partenaires",
        "ordre_du_jour",
        "mode_transport",
        "vehicule",
        "conducteur",
        "heure_depart",
        "heure_retour",
        "repetition",
        "intervalle",
        "jours_semaine",
        "jusqu_au",
    ]

    def __init__(
        self,
        *args: Any,
        ressources: Any,
        professionnels: Any,
        personnes: Any,
        partenaires: Any,
        projets: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        champ_a_choix(self, "partenaires").queryset = partenaires
        champ_a_choix(self, "projet").queryset = projets
        self.choix_de_l_etablissement(ressources, professionnels)
        champ_a_choix(self, "participants").queryset = personnes
        champ_a_choix(self, "usager").queryset = personnes
        champ_a_choix(self, "prestation").queryset = CodeSerafin.objects.filter(
            jeu__in=[JeuSerafin.PRESTATIONS_DIRECTES, JeuSerafin.PRESTATIONS_INDIRECTES],
            actif=True,
            niveau__gte=3,
        )

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        if donnees.get("genre") == GenreEvenement.REUNION and not donnees.get("genre_reunion"):
            self.add_error("genre_reunion", "Précisez le type de réunion.")
        if donnees.get("projet") and not donnees.get("usager"):
            self.add_error("usager", "Une réunion de projet concerne une personne.")
        return donnees


class StatutForm(forms.Form):
    statut = forms.ChoiceField(label="Statut", choices=StatutEvenement.choices)
    motif = forms.CharField(label="Motif (annulé, reporté, absent, non fait)", max_length=300, required=False)
    compte_rendu = forms.CharField(
        label="Compte rendu", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class DeplacerForm(_Creneau):
    pass


class AnnulerSuiteForm(forms.Form):
    motif = forms.CharField(label="Motif", max_length=300)


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(
        choices=[(p, p) for p in (Presence.PRESENT, Presence.ABSENT, Presence.EXCUSE)]
    )


class VisiteForm(forms.Form):
    fait = forms.TypedChoiceField(choices=[("1", "Fait"), ("0", "Non fait")], coerce=lambda v: v == "1")
    motif = forms.CharField(label="Motif", max_length=300, required=False)


class RessourceForm(forms.Form):
    genre = forms.ChoiceField(label="Type", choices=GenreRessource.choices)
    nom = forms.CharField(label="Nom", max_length=120)
    places = forms.IntegerField(label="Places", required=False, min_value=1, max_value=500)


class JetonForm(forms.Form):
    libelle = forms.CharField(label="Nom de l'abonnement", max_length=100, initial="Mon téléphone")


class JourForm(forms.Form):
    jour = forms.DateField(required=False, widget=DATE)
    vue = forms.ChoiceField(required=False, choices=[("jour", "jour"), ("semaine", "semaine")])


class InviterForm(forms.Form):
    partenaires: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Partenaires de l'annuaire", required=False, queryset=None, to_field_name="public_id"
    )
    proches: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label="Proches de la personne",
        required=False,
        queryset=None,
        to_field_name="public_id",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, partenaires: Any, proches: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champ_a_choix(self, "partenaires").queryset = partenaires
        champ_a_choix(self, "proches").queryset = proches


class ActionField(forms.ModelChoiceField[Any]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.objectif.projet.usager} — {obj.libelle}"


class InscrireForm(forms.Form):
    usager: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label="Personne", queryset=None, to_field_name="public_id"
    )
    action: forms.ModelChoiceField[Any] = ActionField(
        label="Action du projet personnalisé servie (facultatif)",
        required=False,
        queryset=None,
        to_field_name="public_id",
    )

    def __init__(self, *args: Any, personnes: Any, actions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champ_a_choix(self, "usager").queryset = personnes
        champ_a_choix(self, "action").queryset = actions


class PeriodeForm(forms.Form):
    du = forms.DateField(label="Du", required=False, widget=DATE)
    au = forms.DateField(label="Au", required=False, widget=DATE)

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        du, au = donnees.get("du"), donnees.get("au")
        if du and au and au < du:
            self.add_error("au", "La fin de la période précède son début.")
        elif du and au and (au - du).days > 366:
            self.add_error("au", "Une période couvre au plus un an.")
        return donnees


class DepotForm(forms.Form):
    """A document attached to an event after the fact (a consultation report…)."""

    titre = forms.CharField(label="Titre", max_length=200, initial="Compte rendu de consultation")
    categorie = forms.ChoiceField(
        label="Qui peut le lire", help_text="La catégorie du document décide qui le lit."
    )
    fichier = forms.FileField(label="Fichier PDF")

    def __init__(self, *args: Any, categories: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        champ = self.fields["categorie"]
        assert isinstance(champ, forms.ChoiceField)
        champ.choices = categories
        if categories:
            champ.initial = "medical" if "medical" in dict(categories) else categories[0][0]
