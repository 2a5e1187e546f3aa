"""Demo data of the soins for the EHPAD of the demo organisme: dossiers de soins, allergies, antécédents,
intervenants, vaccinations, two months of constantes (with alerts), a plan de soins per resident with the
last week's validations, and the last days' transmissions — enough for the relève and the day view to look
like a real morning."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from .models import (
    Allergie,
    Antecedent,
    Constante,
    DossierSoins,
    Intervenant,
    RealisationSoin,
    SoinPlanifie,
    StatutAllergies,
    Transmission,
    Vaccination,
    poste_de,
)
from .services import message_alerte, seuils_de

T = datetime.time

# nom de naissance → (allergies [(type, agent, réaction, sévérité, nature)], antécédents [(type, libellé, CIM-10)],
# régime, texture, liquides, risques {champ: niveau})
DOSSIERS = {
    "Lefèvre": (
        [
            ("substance", "Amoxicilline", "Urticaire généralisée", "severe", "allergie"),
            ("aliment", "Lactose", "Ballonnements, diarrhée", "legere", "intolerance"),
        ],
        [
            ("medical", "Hypertension artérielle", "I10"),
            ("medical", "Fibrillation auriculaire", "I48"),
            ("chirurgical", "Prothèse totale de hanche droite (2018)", ""),
            ("probleme", "Troubles cognitifs modérés", "F06.7"),
        ],
        "hyposode",
        "normale",
        "normaux",
        {"risque_chute": "eleve", "risque_denutrition": "modere"},
    ),
    "Moreau": (
        [],
        [
            ("medical", "Diabète de type 2", "E11"),
            ("medical", "Insuffisance rénale chronique", "N18"),
            ("probleme", "Plaie du talon gauche", "L89"),
        ],
        "diabetique",
        "hachee",
        "normaux",
        {"risque_escarre": "eleve", "risque_chute": "modere"},
    ),
    "Garnier": (
        [
            ("aliment", "Arachide", "Œdème de Quincke", "vitale", "allergie"),
            ("substance", "Iode", "Éruption cutanée", "moderee", "allergie"),
        ],
        [("medical", "Maladie d'Alzheimer", "G30"), ("familial", "Cancer du sein (mère)", "")],
        "hyperprotidique",
        "mixee",
        "gelifies",
        {"risque_fausse_route": "eleve", "risque_denutrition": "eleve"},
    ),
    "Bonnet": (
        [],
        [("medical", "BPCO", "J44"), ("chirurgical", "Appendicectomie (1962)", "")],
        "normal",
        "normale",
        "normaux",
        {"risque_chute": "faible"},
    ),
    "Chevalier": (
        [("classe", "Anti-inflammatoires non stéroïdiens (AINS)", "Crise d'asthme", "severe", "allergie")],
        [
            ("medical", "Insuffisance cardiaque", "I50"),
            ("probleme", "Douleurs arthrosiques des genoux", "M17"),
        ],
        "hyposode",
        "normale",
        "epaissis",
        {"risque_chute": "eleve", "risque_escarre": "modere"},
    ),
}

# (type de soin, précision, heures, récurrence, intervalle, jours de la semaine, consignes)
PLAN_COMMUN: list[tuple[Any, ...]] = [
    (
        "toilette",
        "Toilette au lavabo, aide partielle",
        [T(8)],
        "quotidien",
        1,
        [],
        "Stimuler l'autonomie pour le haut.",
    ),
    ("change", "", [T(7), T(13), T(19), T(23)], "quotidien", 1, [], ""),
    (
        "hydratation",
        "Proposer à boire",
        [T(10), T(15), T(17)],
        "quotidien",
        1,
        [],
        "Au moins 200 mL à chaque passage.",
    ),
    ("toilette", "Douche", [T(9, 30)], "jours_semaine", 1, [2, 5], "Shampooing le vendredi."),
]
PLANS: dict[str, list[tuple[Any, ...]]] = {
    "Moreau": [
        (
            "escarres",
            "Changement de position",
            [T(6), T(9), T(12), T(15), T(18), T(21)],
            "quotidien",
            1,
            [],
            "Décubitus latéral alterné, protéger les talons.",
        ),
        (
            "pansement",
            "Pansement talon gauche",
            [T(10)],
            "n_jours",
            2,
            [],
            "Hydrocolloïde, photo hebdomadaire.",
        ),
    ],
    "Garnier": [
        (
            "repas",
            "Aide au repas (texture mixée)",
            [T(12), T(18, 30)],
            "quotidien",
            1,
            [],
            "Position assise à 90°, eau gélifiée.",
        )
    ],
    "Chevalier": [("surveillance", "Poids", [T(7, 30)], "jours_semaine", 1, [1], "À jeun, même balance.")],
}

CIBLES = [
    (
        "Sommeil",
        "Réveillée à 3 h, anxieuse, demande sa fille.",
        "Réassurance, tisane.",
        "Rendormie à 3 h 40.",
    ),
    (
        "Douleur",
        "Se plaint du genou droit à la mobilisation (EN 5).",
        "Antalgique selon protocole, IDE prévenue.",
        "EN 2 une heure après.",
    ),
    (
        "Alimentation",
        "A mangé la moitié du plateau, refuse le laitage.",
        "Compote enrichie proposée.",
        "Acceptée en totalité.",
    ),
    ("Élimination", "Pas de selles depuis 3 jours.", "Hydratation renforcée, IDE prévenue.", ""),
    (
        "Comportement",
        "Agitée en fin d'après-midi, déambulation.",
        "Accompagnement au jardin, musique.",
        "Apaisée au dîner.",
    ),
    (
        "Peau",
        "Rougeur du talon gauche persistante après décharge.",
        "Protection, changement de position 3 h.",
        "À réévaluer demain.",
    ),
]


def construire(organisme, ehpad, usagers, pros) -> None:
    rng = random.Random(20261124)  # noqa: S311 - reproducible demo values, not security
    maintenant = timezone.now()
    jour = timezone.localdate()
    infirmiere, aide, medecin = pros["infirmiere"], pros["aide-soignant"], pros["medecin"]
    residents = [u for u in usagers.values() if u.sejours.filter(etablissement=ehpad).exists()]
    for usager in residents:
        spec = DOSSIERS.get(usager.nom_naissance)
        if spec is None:
            continue
        allergies, antecedents, regime, texture, liquides, risques = spec
        DossierSoins.objects.create(
            organisme=organisme,
            usager=usager,
            regime=regime,
            texture=texture,
            liquides=liquides,
            statut_allergies=StatutAllergies.RENSEIGNEES if allergies else StatutAllergies.AUCUNE,
            **risques,
        )
        for type_agent, agent, reaction, severite, nature in allergies:
            Allergie.objects.create(
                organisme=organisme,
                usager=usager,
                type_agent=type_agent,
                agent=agent,
                reaction=reaction,
                severite=severite,
                nature=nature,
                saisie_par=infirmiere,
                source="Lettre de liaison du centre hospitalier",
            )
        for type_antecedent, libelle, cim in antecedents:
            Antecedent.objects.create(
                organisme=organisme,
                usager=usager,
                type_antecedent=type_antecedent,
                libelle=libelle,
                code_cim10=cim,
                saisi_par=medecin,
            )
        Intervenant.objects.create(
            organisme=organisme,
            usager=usager,
            role="medecin_traitant",
            nom="Dr Anne Rivière",
            telephone="01 45 67 89 10",
            adresse_mss="anne.riviere@medecin.mssante.fr",
        )
        Vaccination.objects.create(
            organisme=organisme,
            usager=usager,
            vaccin="Grippe saisonnière",
            date_vaccination=jour - datetime.timedelta(days=35),
            lot="FLU2026-118",
            saisie_par=infirmiere,
        )
        _constantes(organisme, ehpad, usager, infirmiere, aide, maintenant, rng)
        _plan(organisme, ehpad, usager, infirmiere, aide, jour, maintenant, rng)
        _transmissions(organisme, ehpad, usager, infirmiere, aide, maintenant, rng)
        if usager.nom_naissance == "Bonnet":  # hospitalised last night: the relève and the day view show it
            from usagers.models import Absence

            Absence.objects.create(
                organisme=organisme,
                sejour=usager.sejours.get(etablissement=ehpad),
                motif="hospitalisation",
                debut=jour,
                commentaire="Dyspnée, adressé aux urgences du CH",
            )


def _constantes(organisme, ehpad, usager, infirmiere, aide, maintenant, rng) -> None:
    seuils = seuils_de(usager)
    poids = Decimal(rng.randint(52, 78))
    for jours in range(60, -1, -3):
        moment = maintenant - datetime.timedelta(days=jours, hours=rng.randint(0, 3))
        sys = (
            172 if jours == 0 and usager.nom_naissance == "Lefèvre" else rng.randint(118, 150)
        )  # today's alert
        mesures = [
            ("tension", Decimal(sys), Decimal(rng.randint(65, 88))),
            ("pouls", Decimal(rng.randint(62, 92)), None),
            ("temperature", Decimal(rng.randint(362, 376)) / 10, None),
            ("spo2", Decimal(rng.randint(93, 99)), None),
        ]
        if usager.nom_naissance == "Moreau":
            mesures.append(("glycemie", Decimal(rng.randint(90, 210)) / 100, None))
        if jours % 15 == 0:
            perte = Decimal("0.8") if usager.nom_naissance == "Garnier" else Decimal("0.1")
            poids = (poids - perte).quantize(Decimal("0.1"))
            mesures.append(("poids", poids, None))
        if jours % 6 == 0:
            mesures.append(("douleur_en", Decimal(rng.choice([0, 1, 2, 2, 3, 5])), None))
        for code, valeur, valeur_2 in mesures:
            c = Constante(
                organisme=organisme,
                usager=usager,
                etablissement=ehpad,
                type_constante=code,
                valeur=valeur,
                valeur_2=valeur_2,
                mesure_le=moment,
                auteur=aide if code != "glycemie" else infirmiere,
            )
            c.alerte = message_alerte(c, seuils)
            c.save()


def _plan(organisme, ehpad, usager, infirmiere, aide, jour, maintenant, rng) -> None:
    debut = jour - datetime.timedelta(days=30)
    soins = []
    for type_soin, libelle, heures, recurrence, intervalle, jours, consignes in PLAN_COMMUN + PLANS.get(
        usager.nom_naissance, []
    ):
        soins.append(
            SoinPlanifie.objects.create(
                organisme=organisme,
                usager=usager,
                etablissement=ehpad,
                type_soin=type_soin,
                libelle=libelle,
                heures=heures,
                recurrence=recurrence,
                intervalle=intervalle,
                jours_semaine=jours,
                date_debut=debut,
                consignes=consignes,
                cree_par=infirmiere,
            )
        )
    tz = timezone.get_current_timezone()
    for decalage in range(7, -1, -1):
        date = jour - datetime.timedelta(days=decalage)
        for soin in soins:
            if not soin.prevu_le(date):
                continue
            for heure in soin.heures:
                moment = datetime.datetime.combine(date, heure, tzinfo=tz) + datetime.timedelta(
                    minutes=rng.randint(0, 40)
                )
                if moment > maintenant - datetime.timedelta(hours=2) and decalage == 0:
                    continue  # today's remaining tasks are left to do (and some are late)
                tirage = rng.random()
                statut, motif = (
                    ("fait", "") if tirage > 0.06 else ("pas_fait", rng.choice(["refus", "endormi"]))
                )
                RealisationSoin.objects.create(
                    organisme=organisme,
                    soin=soin,
                    usager=usager,
                    etablissement=ehpad,
                    date_prevue=date,
                    heure_prevue=heure,
                    statut=statut,
                    motif=motif,
                    auteur=aide,
                    realise_le=moment,
                )


def _transmissions(organisme, ehpad, usager, infirmiere, aide, maintenant, rng) -> None:
    unite = usager.sejours.get(etablissement=ehpad).unite
    for heures in (50, 30, 14, 5):
        moment = maintenant - datetime.timedelta(hours=heures + rng.randint(0, 3))
        cible, donnees, actions, resultats = rng.choice(CIBLES)
        poste, date_poste = poste_de(moment)
        Transmission.objects.create(
            organisme=organisme,
            usager=usager,
            etablissement=ehpad,
            unite=unite,
            auteur=rng.choice([aide, infirmiere]),
            ecrite_le=moment,
            poste=poste,
            date_poste=date_poste,
            cible=cible,
            donnees=donnees,
            actions=actions,
            resultats=resultats,
            importante=cible in ("Douleur", "Peau"),
        )
