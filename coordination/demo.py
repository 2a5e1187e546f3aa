"""Demo data of the agenda (``manage.py demo``): the partner directory, the ESMS's vehicles and rooms, a week
of rendez-vous with their transports, an outing, an atelier with its attendance, a SESSAD home round and a
synthesis meeting with its compte rendu — written through the services, as the teams would."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from accompagnement.models import Action, CodeSerafin
from annuaire.models import Partenaire

from . import services
from .forms import instant
from .models import Participation, Presence
from .recurrence import Regle


def construire(organisme: Any, etabs: list[Any], usagers: dict[str, Any], pros: dict[str, Any]) -> None:
    ehpad, mas, sessad = etabs[0], etabs[1], etabs[2]
    aujourd_hui = timezone.localdate()

    def jour(n: int) -> datetime.date:
        return aujourd_hui + datetime.timedelta(days=n)

    def h(n: int, heure: int, minute: int = 0) -> datetime.datetime:
        return instant(jour(n), datetime.time(heure, minute))

    chu = Partenaire.objects.create(
        organisme=organisme,
        genre="hopital",
        nom="CHU Saint-Antoine",
        specialite="Consultations de cardiologie",
        finess="750100125",
        adresse="184 rue du Faubourg Saint-Antoine, 75012 Paris",
        telephone="01 49 28 20 00",
        mssante="cardiologie@chu-demo.mssante.fr",
    )
    Partenaire.objects.create(
        organisme=organisme,
        genre="medecin",
        nom="Dr Anne Renaud",
        specialite="Médecine générale",
        rpps="10003456786",
        telephone="01 43 00 00 01",
        mssante="anne.renaud@medecin.mssante.fr",
    )
    cabinet = Partenaire.objects.create(
        organisme=organisme,
        genre="paramedical",
        nom="Cabinet dentaire de la Nation",
        specialite="Chirurgien-dentiste",
        adresse="4 place de la Nation, 75011 Paris",
        telephone="01 43 00 00 02",
    )
    imagerie = Partenaire.objects.create(
        organisme=organisme,
        genre="laboratoire",
        nom="Centre d'imagerie Voltaire",
        adresse="12 bd Voltaire, 75011 Paris",
        telephone="01 43 00 00 03",
    )
    mdph = Partenaire.objects.create(
        organisme=organisme, genre="mdph", nom="MDPH de Paris", telephone="0805 80 09 09"
    )
    Partenaire.objects.create(
        organisme=organisme, genre="transport", nom="Taxis conventionnés Léon", telephone="06 00 00 00 04"
    )

    direction = pros["direction"]
    minibus = services.do_creer_ressource(direction, ehpad, "vehicule", "Minibus 9 places", 9)
    salle = services.do_creer_ressource(direction, ehpad, "salle", "Salle d'animation", 20)
    tpmr = services.do_creer_ressource(direction, mas, "vehicule", "Véhicule TPMR", 5)
    services.do_creer_ressource(direction, sessad, "vehicule", "Clio du service", 4)

    infirmiere, aide = pros["infirmiere"], pros["aide-soignant"]
    lefevre, moreau, garnier = usagers["Lefèvre"], usagers["Moreau"], usagers["Garnier"]
    bonnet, chevalier = usagers["Bonnet"], usagers["Chevalier"]
    # a week of the EHPAD
    services.do_planifier(
        infirmiere,
        ehpad,
        genre="rdv_externe",
        usager=lefevre,
        titre="Consultation de cardiologie",
        partenaire=chu,
        debut=h(1, 10),
        fin=h(1, 11),
        a_jeun=True,
        dlu_a_imprimer=True,
        documents_a_apporter="Dernier ECG, carte Vitale",
        transport={"mode": "taxi", "depart": h(1, 9, 15), "retour": h(1, 12, 30)},
    )
    services.do_planifier(
        infirmiere,
        ehpad,
        genre="rdv_externe",
        usager=moreau,
        titre="Soins dentaires",
        partenaire=cabinet,
        debut=h(2, 14),
        fin=h(2, 15),
        accompagnement_requis=True,
        transport={
            "mode": "vehicule",
            "vehicule": minibus,
            "conducteur": aide,
            "depart": h(2, 13, 30),
            "retour": h(2, 15, 45),
        },
    )
    services.do_planifier(
        infirmiere,
        ehpad,
        genre="rdv_interne",
        usager=garnier,
        titre="Pédicure",
        lieu="Chambre 3",
        debut=h(1, 15),
        fin=h(1, 15, 45),
        regle=Regle("hebdomadaire", 1, jour(50)),
    )
    services.do_planifier(
        infirmiere,
        ehpad,
        genre="rdv_interne",
        usager=bonnet,
        titre="Coiffeur",
        ressource=salle,
        debut=h(3, 10),
        fin=h(3, 11),
    )
    services.do_planifier(
        infirmiere,
        ehpad,
        genre="rdv_externe",
        usager=chevalier,
        titre="Radiographie du bassin",
        partenaire=imagerie,
        debut=h(4, 9),
        fin=h(4, 10),
        a_jeun=True,
        preparation="Ne pas appliquer de crème la veille.",
        transport={"mode": "ambulance", "depart": h(4, 8, 15), "retour": h(4, 11)},
    )
    # the atelier of the EHPAD: yesterday's session with its attendance, today's to be noted
    animation = CodeSerafin.objects.filter(jeu="J284", actif=True, niveau__gte=3).order_by("code").first()
    for n, present in ((-1, True), (0, None)):
        atelier = services.do_planifier(
            pros["direction"],
            ehpad,
            genre="activite",
            titre="Atelier mémoire",
            ressource=salle,
            capacite=10,
            prestation=animation,
            participants=[lefevre, moreau, garnier],
            debut=h(n, 10, 30),
            fin=h(n, 11, 30),
        )
        if present:
            for participation, presence in zip(
                Participation.objects.filter(evenement=atelier).order_by("pk"),
                (Presence.PRESENT, Presence.PRESENT, Presence.EXCUSE),
                strict=True,
            ):
                participation.presence, participation.note_par, participation.note_le = (
                    presence,
                    direction,
                    atelier.fin,
                )
                action = Action.objects.filter(objectif__projet__usager=participation.usager).first()
                participation.action = action
                participation.save()
    # an outing of the MAS, with its vehicle and the educator
    educatrice = pros["educatrice"]
    ndiaye, perrin = usagers["N'Diaye"], usagers["Perrin"]
    services.do_planifier(
        educatrice,
        mas,
        genre="activite",
        titre="Sortie au marché d'Aligre",
        lieu="Marché d'Aligre",
        professionnels=[educatrice],
        participants=[ndiaye, perrin],
        capacite=4,
        prestation=animation,
        debut=h(2, 10),
        fin=h(2, 12),
        transport={
            "mode": "vehicule",
            "vehicule": tpmr,
            "conducteur": educatrice,
            "depart": h(2, 9, 30),
            "retour": h(2, 12, 30),
        },
    )
    # the synthesis meeting of Thomas Perrin, held yesterday, with its compte rendu
    synthese = services.do_planifier(
        pros["chef-service"],
        mas,
        genre="reunion",
        genre_reunion="synthese",
        usager=perrin,
        titre="Réunion de synthèse — Thomas Perrin",
        lieu="Bureau de la cheffe de service",
        professionnels=[pros["chef-service"], educatrice, pros["medecin"]],
        invites=[mdph],
        debut=h(-1, 14),
        fin=h(-1, 15),
        ordre_du_jour="Bilan du semestre, préparation du projet personnalisé.",
    )
    services.do_changer_statut(
        pros["chef-service"],
        synthese,
        "fait",
        compte_rendu=(
            "Présents : cheffe de service, éducatrice, médecin. Bilan : progrès en autonomie pour les repas ; "
            "sorties hebdomadaires à maintenir. Proposition au projet personnalisé : atelier cuisine le jeudi."
        ),
    )
    # the SESSAD's home round of the psychologist, every week
    psychologue = pros["psychologue"]
    for personne, heure, adresse in (
        (usagers["Da Silva"], 9, "Domicile, 12 rue des Lilas"),
        (usagers["Roux-Mercier"], 11, "École Jules-Ferry"),
    ):
        services.do_planifier(
            psychologue,
            sessad,
            genre="visite",
            usager=personne,
            titre="Séance de guidance",
            lieu=adresse,
            professionnels=[psychologue],
            debut=h(0, heure),
            fin=h(0, heure + 1),
            ordre=1 if heure == 9 else 2,
            regle=Regle("hebdomadaire", 1, jour(56)),
        )
    # tomorrow's transport sheet of the EHPAD, as the evening's beat would ask for it
    services.demander_feuille_transports(ehpad, jour(1))
