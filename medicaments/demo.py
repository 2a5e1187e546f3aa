"""Demo data of the circuit du médicament for the EHPAD of the demo organisme: 4 to 8 lines per resident
(with a "si besoin" antalgic), two weeks of administrations (a few refusals and doses not given), the
current time slot left to validate, piluliers, and a stock with a low article and a lot close to expiry.
The BDPM extract must be loaded (``manage.py demo`` loads it first)."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from dui.history import update_with_history

from . import services
from .models import (
    Administration,
    AlertePrescription,
    ArticleStock,
    DosePlanifiee,
    MouvementStock,
    Pilulier,
    Prescription,
    Specialite,
    StatutAdministration,
    TypeMouvement,
)

T = datetime.time
DOLIPRANE = "60234100"
# nom de naissance → lines (CIS, dose, unité, heures, récurrence, jours, consignes, commentaire)
LIGNES: dict[str, list[tuple[Any, ...]]] = {
    "Lefèvre": [
        ("60759607", 1, "comprime", [T(8)], "quotidien", [], [], ""),  # ramipril 5 mg
        ("66771566", 1, "comprime", [T(8)], "quotidien", [], ["ne_pas_ecraser"], ""),  # bisoprolol
        ("69340279", 1, "comprime", [T(8), T(20)], "quotidien", [], [], ""),  # apixaban 2,5 mg
        ("64813949", 1, "comprime", [T(20)], "quotidien", [], [], ""),  # donépézil
        ("68125932", 1, "comprime", [T(20)], "quotidien", [], [], ""),  # atorvastatine
        (DOLIPRANE, 1, "comprime", [T(8), T(14), T(20)], "quotidien", [], [], "Douleurs de hanche"),
    ],
    "Moreau": [
        ("69065160", 1, "comprime", [T(8), T(20)], "quotidien", [], ["au_repas"], ""),  # metformine
        ("63811710", 1, "gelule", [T(8)], "quotidien", [], [], ""),  # amlodipine
        ("68125932", 1, "comprime", [T(20)], "quotidien", [], [], ""),
        ("61471344", 1, "gelule", [T(8)], "quotidien", [], ["a_jeun", "ne_pas_ecraser"], ""),  # ésoméprazole
        ("69298346", 1, "sachet", [T(8)], "n_jours", [], [], "Dans un verre d'eau"),
    ],  # Forlax, 1 jour sur 2
    "Garnier": [
        ("64813949", 1, "comprime", [T(20)], "quotidien", [], ["ecrasable"], "Écraser dans la compote"),
        ("68728154", 1, "gelule", [T(8)], "quotidien", [], [], ""),  # sertraline
        ("68269975", 1, "comprime", [T(21)], "quotidien", [], ["ecrasable"], ""),  # oxazépam (Seresta)
        ("63061130", 1, "sachet", [T(8)], "jours_semaine", [1, 3, 5], [], ""),
    ],  # Movicol
    "Chevalier": [
        ("60192594", 1, "comprime", [T(8)], "quotidien", [], [], "Peser le lundi"),  # furosémide 40 mg
        ("66771566", 1, "comprime", [T(8)], "quotidien", [], ["ne_pas_ecraser"], ""),
        ("60759607", 1, "comprime", [T(8)], "quotidien", [], [], ""),
        ("69340279", 1, "comprime", [T(8), T(20)], "quotidien", [], [], ""),
        (DOLIPRANE, 1, "comprime", [T(8), T(20)], "quotidien", [], [], ""),
        ("61438166", 1, "comprime", [T(21)], "quotidien", [], [], ""),
    ],  # zopiclone
    "Bonnet": [
        ("61471344", 1, "gelule", [T(8)], "quotidien", [], ["a_jeun"], ""),
        ("63811710", 1, "gelule", [T(8)], "quotidien", [], [], ""),
        ("68125932", 1, "comprime", [T(20)], "quotidien", [], [], ""),
        ("61438166", 1, "comprime", [T(21)], "quotidien", [], [], ""),
    ],
}
# (CIS, dose, unité, indication, maximum par 24 h)
SI_BESOIN: dict[str, list[tuple[Any, ...]]] = {
    "Moreau": [(DOLIPRANE, 1, "comprime", "Douleur du talon", 3)],
    "Garnier": [(DOLIPRANE, 1, "comprime", "Douleur ou fièvre", 3)],
    "Bonnet": [
        (DOLIPRANE, 1, "comprime", "Douleur ou fièvre", 3),
        ("67105161", 1, "gelule", "Douleur non calmée par le paracétamol", 2),
    ],
    "Lefèvre": [("68849298", 1, "gelule", "Fièvre > 38,5 °C", 1)],
}
JOURS_D_HISTORIQUE = 14


def construire(organisme, ehpad, usagers, pros) -> None:
    rng = random.Random(20261124)  # noqa: S311 - reproducible demo values, not security
    medecin, infirmiere = pros["medecin"], pros["infirmiere"]
    maintenant = timezone.now()
    debut = maintenant - datetime.timedelta(days=JOURS_D_HISTORIQUE)
    specialites = {
        s.cis: s
        for s in Specialite.objects.filter(
            cis__in={ligne[0] for lignes in (*LIGNES.values(), *SI_BESOIN.values()) for ligne in lignes}
        )
    }
    for nom, lignes in LIGNES.items():
        usager = usagers.get(nom)
        if usager is None:
            continue
        for cis, dose, unite, heures, recurrence, jours, consignes, commentaire in lignes:
            p = _ligne(
                organisme,
                ehpad,
                usager,
                medecin,
                specialites[cis],
                dose,
                unite,
                debut,
                heures=heures,
                recurrence=recurrence,
                intervalle=2 if recurrence == "n_jours" else 1,
                jours_semaine=jours,
                consignes=consignes,
                commentaire=commentaire,
            )
            services.generer_plan(p, maintenant=debut)  # the last two weeks…
            services.generer_plan(p)  # … and the horizon from today
        for cis, dose, unite, indication, maximum in SI_BESOIN.get(nom, []):
            _ligne(
                organisme,
                ehpad,
                usager,
                medecin,
                specialites[cis],
                dose,
                unite,
                debut,
                si_besoin=True,
                indication=indication,
                max_par_24h=maximum,
            )
    _administrations(organisme, ehpad, infirmiere, maintenant, rng)
    _stock(organisme, ehpad, infirmiere, specialites, maintenant)
    _piluliers(organisme, ehpad, usagers, infirmiere, medecin)


def _ligne(organisme, ehpad, usager, medecin, specialite, dose, unite, debut, **champs) -> Prescription:
    """A line written two weeks ago, with the alerts a physician acknowledged then (duplicates)."""
    p = Prescription(
        organisme=organisme,
        usager=usager,
        etablissement=ehpad,
        prescripteur=medecin,
        specialite=specialite,
        libelle=specialite.denomination,
        dose=Decimal(dose),
        unite=unite,
        voie="orale",
        debut=debut,
        **champs,
    )
    from . import securite

    alertes = securite.verifier(p)
    p.save()
    update_with_history(Prescription.objects.filter(pk=p.pk), cree_le=debut)
    AlertePrescription.objects.bulk_create(
        [
            AlertePrescription(
                organisme=organisme,
                prescription=p,
                type_alerte=a.type_alerte,
                cle=a.cle,
                message=a.message,
                acquittee_par=medecin,
                motif="Traitement de fond et si besoin : dose totale surveillée",
            )
            for a in alertes
        ]
    )
    return p


def _administrations(organisme, ehpad, infirmiere, maintenant, rng) -> None:
    """Every planned dose before the current time slot: mostly given, a few refused or not given."""
    from .selectors import bornes_creneau, creneau_de

    jour, creneau = creneau_de(maintenant)
    limite, _ = bornes_creneau(jour, creneau)
    lignes = []
    for dose in DosePlanifiee.objects.filter(etablissement=ehpad, prevue_le__lt=limite).select_related(
        "prescription"
    ):
        tirage = rng.random()
        statut, motif = StatutAdministration.DONNE, ""
        if tirage < 0.03:
            statut, motif = StatutAdministration.REFUSE, "refus"
        elif tirage < 0.05:
            statut, motif = StatutAdministration.NON_DONNE, rng.choice(["endormi", "absent"])
        lignes.append(
            Administration(
                organisme=organisme,
                prescription=dose.prescription,
                dose=dose,
                usager_id=dose.usager_id,
                etablissement=ehpad,
                statut=statut,
                motif=motif,
                quantite=dose.prescription.dose,
                auteur=infirmiere,
                administree_le=min(
                    max(
                        dose.prevue_le + datetime.timedelta(minutes=rng.randint(-20, 35)),
                        dose.prescription.debut,
                    ),
                    maintenant,
                ),
            )
        )
    Administration.objects.bulk_create(lignes, batch_size=1000)
    for p in Prescription.objects.filter(etablissement=ehpad, si_besoin=True):
        for jours in (9, 4, 1):
            if rng.random() < 0.6:
                Administration.objects.create(
                    organisme=organisme,
                    prescription=p,
                    usager_id=p.usager_id,
                    etablissement=ehpad,
                    statut=StatutAdministration.DONNE,
                    indication=p.indication,
                    quantite=p.dose,
                    auteur=infirmiere,
                    administree_le=maintenant - datetime.timedelta(days=jours, hours=rng.randint(1, 6)),
                )
    # today (issue 23): one dose whose effect is late for its re-evaluation, one re-evaluated (the relève shows both)
    premiere = (
        Prescription.objects.filter(etablissement=ehpad, si_besoin=True, max_par_24h__gte=3)
        .order_by("pk")
        .first()
    )
    if premiere is not None:
        delai = datetime.timedelta(minutes=settings.DUI_REEVALUATION_SI_BESOIN_MINUTES)
        for il_y_a, reevaluee in (
            (datetime.timedelta(minutes=80), False),
            (datetime.timedelta(hours=4), True),
        ):
            donnee_le = maintenant - il_y_a
            Administration.objects.create(
                organisme=organisme,
                prescription=premiere,
                usager_id=premiere.usager_id,
                etablissement=ehpad,
                statut=StatutAdministration.DONNE,
                indication=premiere.indication,
                quantite=premiere.dose,
                auteur=infirmiere,
                administree_le=donnee_le,
                reevaluer_le=donnee_le + delai,
                **(
                    {
                        "effet": "soulage",
                        "douleur_apres": 2,
                        "reevaluee_le": donnee_le + delai,
                        "reevaluee_par": infirmiere,
                    }
                    if reevaluee
                    else {}
                ),
            )


def _stock(organisme, ehpad, infirmiere, specialites, maintenant) -> None:
    jour = timezone.localdate()
    stock = [  # CIS, seuil, décompte à la dose, [(lot, quantité, péremption en jours)]
        (DOLIPRANE, 100, True, [("DOL24117", 300, 400), ("DOL23090", 24, 25)]),
        ("69340279", 60, False, [("ELQ2411", 40, 500)]),  # below its threshold
        ("61438166", 30, False, [("ZOP2402", 90, 200)]),
        ("69298346", 20, False, [("FLX2311", 60, 45)]),  # expires within two months
    ]
    for cis, seuil, par_dose, lots in stock:
        article = ArticleStock.objects.create(
            organisme=organisme,
            etablissement=ehpad,
            specialite=specialites.get(cis) or Specialite.objects.get(cis=cis),
            seuil_alerte=seuil,
            sortie_par_administration=par_dose,
        )
        for lot, quantite, jours in lots:
            MouvementStock.objects.create(
                organisme=organisme,
                article=article,
                etablissement=ehpad,
                type_mouvement=TypeMouvement.RECEPTION,
                quantite=quantite,
                lot=lot,
                peremption=jour + datetime.timedelta(days=jours),
                auteur=infirmiere,
                le=maintenant - datetime.timedelta(days=20),
            )


def _piluliers(organisme, ehpad, usagers, infirmiere, medecin) -> None:
    """This week's piluliers prepared and double-checked; next week's prepared for one resident, waiting
    for its double check."""
    cette_semaine = services.lundi(timezone.localdate())
    for nom in LIGNES:
        usager = usagers.get(nom)
        if usager is None:
            continue
        Pilulier.objects.create(
            organisme=organisme,
            usager=usager,
            etablissement=ehpad,
            semaine=cette_semaine,
            prepare_par=infirmiere,
            verifie_par=medecin,
            verifie_le=timezone.now(),
        )
    if "Lefèvre" in usagers:
        Pilulier.objects.create(
            organisme=organisme,
            usager=usagers["Lefèvre"],
            etablissement=ehpad,
            semaine=cette_semaine + datetime.timedelta(days=7),
            prepare_par=infirmiere,
        )
