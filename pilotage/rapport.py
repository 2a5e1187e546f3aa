"""The annual activity report of one ESMS: its figures (``donnees``), the ANAP indicators computable from the
DUI, and the files the worker writes (PDF, XLSX, CSV of the ANAP indicators)."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

from django.utils import timezone

from dui.exports import cellule_sure
from dui.graphiques import Repere
from dui.models import CategorieESMS, Etablissement

from . import indicateurs, selectors

GENRES_EVENEMENT = {
    "rdv_interne": "Rendez-vous dans l'établissement",
    "rdv_externe": "Rendez-vous extérieurs",
    "activite": "Activités, ateliers, sorties",
    "visite": "Interventions à domicile",
    "reunion": "Réunions",
}


def donnees(acteur, etablissement: Etablissement, annee: int) -> dict[str, Any]:
    debut, fin = datetime.date(annee, 1, 1), datetime.date(annee, 12, 31)
    tdb = selectors.tableau_de_bord(acteur, [etablissement], debut, fin)
    realise, og = tdb["realise"], etablissement.organisme_id
    ligne = tdb["lignes"][0]
    d = {
        "etablissement": etablissement,
        "annee": annee,
        "debut": debut,
        "fin": fin,
        "realise": realise,
        "jours": tdb["jours"],
        "ligne": ligne,
        "mois": tdb["mois"],
        "file_active": indicateurs.file_active(og, etablissement.pk, debut, realise),
        "profil": indicateurs.profil(og, etablissement.pk, realise),
        "motifs": indicateurs.motifs(og, etablissement.pk, debut, realise),
        "activite": indicateurs.activite(og, etablissement.pk, debut, realise),
        "est_ehpad": etablissement.categorie == CategorieESMS.EHPAD,
        "produit_le": timezone.localtime(),
    }
    for evenement in d["activite"]["evenements"]:
        evenement["libelle"] = GENRES_EVENEMENT.get(evenement["genre"], evenement["genre"])
    d["anap"] = indicateurs_anap(d)
    return d


def indicateurs_anap(d: dict[str, Any]) -> list[tuple[str, Any, str, str]]:
    """The indicators of the ANAP « Tableau de bord de la performance dans le secteur médico-social » that the
    DUI can compute (the others — human resources, budget — come from other software): (indicator, value,
    unit, definition as computed here)."""
    ligne, profil = d["ligne"], d["profil"]
    moins_60 = profil["ages"][0][1]
    lignes = [
        ("Capacité autorisée", ligne["capacite"], "places", "Capacité autorisée de l'ESMS (fiche établissement)."),
        ("Journées réalisées", ligne["journees"], "journées",
         "Jours de présence : jours couverts par un séjour (entrée et sortie comprises), moins les absences."),
        ("Taux d'occupation", ligne["taux_occupation"], "%",
         "Journées réalisées ÷ (capacité autorisée × jours de la période)."),
        ("File active", d["file_active"], "personnes", "Personnes accompagnées au moins un jour de la période."),
        ("Entrées", ligne["entrees"], "personnes", "Séjours commencés pendant la période."),
        ("Sorties", ligne["sorties"], "personnes", "Séjours terminés pendant la période."),
        ("Taux de rotation des places", ligne["taux_rotation"], "%", "Entrées ÷ capacité autorisée."),
        ("Durée moyenne de séjour des personnes sorties", ligne["duree_moyenne_sejour"], "jours",
         "Σ (sortie − entrée + 1) des séjours terminés pendant la période ÷ nombre de sorties."),
        ("Âge moyen des personnes accompagnées", profil["age_moyen"], "ans", f"Au {d['realise']:%d/%m/%Y}."),
        ("Part des personnes de moins de 60 ans", indicateurs.pourcentage(moins_60, profil["total"]), "%",
         f"Personnes accompagnées au {d['realise']:%d/%m/%Y} âgées de moins de 60 ans ÷ personnes accompagnées "
         "(en EHPAD : dérogations d'âge)."),
        ("Part des personnes en GIR 1 ou 2", ligne["part_gir_1_2"], "%",
         "Personnes dont le dernier GIR valide est 1 ou 2 ÷ personnes évaluées."),
        ("GMP", ligne["gmp"], "points", "Σ points GIR ÷ personnes évaluées (GIR 1 = 1000 … GIR 6 = 70)."),
    ]  # fmt: skip
    if d["est_ehpad"]:
        lignes += [
            (
                "PMP (dernière coupe validée)",
                ligne["pmp"],
                "points",
                "Pathos moyen pondéré validé par l'ARS.",
            ),
            (
                "GMPS validé",
                ligne["gmps_valide"],
                "points",
                "GMP validé + 2,59 × PMP (arrêté du 15 novembre 2013).",
            ),
        ]
    lignes += [
        ("Part des personnes avec un projet personnalisé de moins d'un an", ligne["part_pp_a_jour"], "%",
         "Projet personnalisé en vigueur validé depuis moins d'un an ÷ personnes accompagnées."),
    ]  # fmt: skip
    return lignes


def _texte(valeur: Any) -> Any:
    if valeur is None:
        return ""
    if isinstance(valeur, datetime.date):
        return valeur.strftime("%d/%m/%Y")
    return valeur


def tableaux(d: dict[str, Any]) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The report's tables, as the spreadsheet has them: (sheet, header, rows)."""
    etab, ligne = d["etablissement"], d["ligne"]
    synthese = [
        ["Établissement", etab.nom],
        ["FINESS géographique", etab.finess_geographique],
        ["Année", d["annee"]],
        ["Activité comptée jusqu'au", _texte(d["realise"])],
        *[[libelle, _texte(valeur)] for libelle, valeur, _u, _def in d["anap"]],
        ["Projets personnalisés validés", d["activite"]["pp_valides"]],
        ["Bilans de projets personnalisés", d["activite"]["bilans_pp"]],
        ["Évaluations AGGIR", d["activite"]["evaluations_aggir"]],
        ["Évaluations SERAFIN-PH", d["activite"]["evaluations_serafin"]],
    ]
    mensuel = [
        [m["mois"].strftime("%m/%Y"), m["presents"], m["places"], _texte(m["taux"])] for m in d["mois"]
    ]
    modes = [[libelle, n] for libelle, n in ligne["par_mode"]]
    profil = d["profil"]
    population = (
        [["Âge", libelle, n] for libelle, n in profil["ages"]]
        + [["Sexe", libelle, n] for libelle, n in profil["sexes"]]
        + [["GIR", libelle, n] for libelle, n in profil["girs"]]
        + [["Ancienneté dans l'établissement", libelle, n] for libelle, n in profil["anciennetes"]]
    )
    noms = {
        "provenance": "Provenance (entrées)",
        "motif_sortie": "Motif de sortie",
        "destination": "Destination",
    }
    mouvements = [[noms[genre], valeur, n] for genre in noms for valeur, n in d["motifs"][genre]]
    evenements = [
        [e["libelle"], e["nombre"], e["intitules"], e["presences"]] for e in d["activite"]["evenements"]
    ]
    anap = [[libelle, _texte(valeur), unite, definition] for libelle, valeur, unite, definition in d["anap"]]
    return [
        ("Synthèse", ["Indicateur", "Valeur"], synthese),
        ("Activité mensuelle", ["Mois", "Journées de présence", "Journées théoriques", "Taux d'occupation (%)"],
         mensuel),
        ("Modes d'accueil", ["Mode d'accueil", "Journées de présence"], modes),
        ("Population", ["Répartition", "Catégorie", "Personnes"], population),
        ("Entrées et sorties", ["Rubrique", "Libellé", "Séjours"], mouvements),
        ("Agenda", ["Genre", "Réalisés", "Intitulés différents", "Présences"], evenements),
        ("Indicateurs ANAP", ["Indicateur", "Valeur", "Unité", "Définition"], anap),
    ]  # fmt: skip


def ecrire_xlsx(d: dict[str, Any]) -> bytes:
    """openpyxl; every text cell written as text with a neutralised formula start (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook()
    classeur.remove(classeur.active)
    for titre, entete, lignes in tableaux(d):
        feuille = classeur.create_sheet(titre[:31])
        feuille.append(entete)
        for cellule in feuille[1]:
            cellule.font = Font(bold=True)
        for ligne in lignes:
            feuille.append(list(ligne))
        for rangee in feuille.iter_rows():
            for cellule in rangee:
                if isinstance(cellule.value, str):
                    cellule.value = cellule_sure(cellule.value)
                    cellule.data_type = "s"
    sortie = io.BytesIO()
    classeur.save(sortie)
    return sortie.getvalue()


def ecrire_csv_anap(d: dict[str, Any]) -> bytes:
    sortie = io.StringIO()
    ecrivain = csv.writer(sortie, delimiter=";")
    ecrivain.writerow(["FINESS géographique", "Année", "Indicateur", "Valeur", "Unité", "Définition"])
    for libelle, valeur, unite, definition in d["anap"]:
        valeur = "" if valeur is None else str(valeur).replace(".", ",")
        ecrivain.writerow(
            [cellule_sure(str(x)) for x in (d["etablissement"].finess_geographique, d["annee"], libelle, valeur,
                                            unite, definition)]
        )  # fmt: skip
    return ("\ufeff" + sortie.getvalue()).encode("utf-8")


def histogramme(mois: list[dict]) -> dict | None:
    """Monthly occupancy as SVG bars (the table below the chart gives the same figures)."""
    if not mois or all(m["taux"] is None for m in mois):
        return None
    largeur, hauteur = 640, 200
    haut = max([100.0, *(m["taux"] or 0 for m in mois)])
    repere = Repere(largeur, hauteur, -0.5, len(mois) - 0.5, bas=0, haut=haut, marge_h=16, marge_b=24)
    pas = (repere.x1 - repere.x0) / len(mois)
    barres = []
    for i, m in enumerate(mois):
        y = repere.y(m["taux"] or 0)
        barres.append(
            {
                "x": round(repere.x(i) - pas * 0.35, 1),
                "y": y,
                "largeur": round(pas * 0.7, 1),
                "hauteur": round(repere.y(0) - y, 1),
                "etiquette_x": repere.x(i),
                "mois": m,
            }
        )
    return {
        "largeur": largeur,
        "hauteur": hauteur,
        "barres": barres,
        "y100": repere.y(100),
        "y0": repere.y(0),
        "x0": repere.x0,
        "x1": repere.x1,
    }
