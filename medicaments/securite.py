"""Safety checks run when a line is prescribed (pure reads, no writes): allergy or intolerance matched
through the drug's substances, a substance already prescribed, and the maximum dose per 24 h.

Every alert has a stable key; the prescriber goes on only by acknowledging each key with a reason
(``services.do_prescrire``). The references below are deliberately short and documented: they are not a
drug-interaction database (the BDPM has none), and the note of issue 6 says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from soins.models import Allergie, TypeAgent, normaliser

from .models import UNITES_DE_PRISE, AlertePrescription, Composition, Prescription

# Allergy classes (normalised) → substance name stems (normalised) they include.
CLASSES: dict[str, tuple[str, ...]] = {
    "penicillines": (
        "amoxicilline",
        "ampicilline",
        "benzylpenicilline",
        "phenoxymethylpenicilline",
        "cloxacilline",
        "oxacilline",
        "piperacilline",
        "pivmecillinam",
        "ticarcilline",
    ),
    "betalactamines": (
        "amoxicilline",
        "ampicilline",
        "benzylpenicilline",
        "cloxacilline",
        "piperacilline",
        "cefixime",
        "ceftriaxone",
        "cefuroxime",
        "cefpodoxime",
        "cefalexine",
        "cefotaxime",
        "imipeneme",
        "meropeneme",
    ),
    "cephalosporines": (
        "cefixime",
        "ceftriaxone",
        "cefuroxime",
        "cefpodoxime",
        "cefalexine",
        "cefotaxime",
        "cefazoline",
        "ceftazidime",
    ),
    "sulfamides": ("sulfamethoxazole", "sulfadiazine", "sulfasalazine"),
    "ains": (
        "ibuprofene",
        "ketoprofene",
        "diclofenac",
        "naproxene",
        "acide acetylsalicylique",
        "celecoxib",
        "piroxicam",
        "meloxicam",
        "indometacine",
        "flurbiprofene",
    ),
    "opioides": (
        "morphine",
        "oxycodone",
        "codeine",
        "tramadol",
        "fentanyl",
        "hydromorphone",
        "buprenorphine",
    ),
    "macrolides": ("azithromycine", "clarithromycine", "erythromycine", "spiramycine", "roxithromycine"),
    "quinolones": ("ciprofloxacine", "ofloxacine", "levofloxacine", "norfloxacine", "moxifloxacine"),
    "iode": ("iode", "povidone iodee", "amiodarone"),
}
SYNONYMES = {
    "aspirine": "acide acetylsalicylique",
    "anti inflammatoires non steroidiens": "ains",
    "beta lactamines": "betalactamines",
    "penicilline": "penicillines",
    "sulfamide": "sulfamides",
    "cephalosporine": "cephalosporines",
    "morphiniques": "opioides",
    "opiaces": "opioides",
}

# Maximum daily dose (mg / 24 h, adult) of a few substances often prescribed "si besoin" in ESMS.
# Sources: RCP of the reference spécialités (paracétamol 4 g, tramadol 400 mg, ibuprofène 1 200 mg without
# medical follow-up, néfopam 120 mg, morphine orale: no ceiling → not listed).
DOSES_MAX_MG = {
    "paracetamol": Decimal(4000),
    "tramadol": Decimal(400),
    "ibuprofene": Decimal(1200),
    "nefopam": Decimal(120),
    "ketoprofene": Decimal(200),
}


@dataclass(frozen=True)
class Alerte:
    type_alerte: str
    cle: str
    message: str

    @property
    def libelle_type(self) -> str:
        return AlertePrescription.Type(self.type_alerte).label


def _mots(nom: str) -> set[str]:
    return set(nom.split())


def substances_de(prescription: Prescription) -> list[tuple[str, str, Composition | None]]:
    """(substance code, normalised name, composition) of the prescribed drug: the spécialité's active
    substances (SA and FT), or the prescribed DCI."""
    if prescription.specialite_id:
        return [
            (c.substance.code, normaliser(c.denomination), c)
            for c in Composition.objects.filter(specialite_id=prescription.specialite_id).select_related(
                "substance"
            )
        ]
    s = prescription.substance
    if s is None:  # a line names a spécialité or a substance (check constraint)
        return []
    return [(s.code, s.denomination_normalisee, None)]


def _agent_correspond(agent: str, type_agent: str, noms: list[str], libelle: str) -> bool:
    agent = SYNONYMES.get(agent, agent)
    if type_agent == TypeAgent.CLASSE or agent in CLASSES:
        membres = CLASSES.get(agent, ())
        return any(m in nom for m in membres for nom in noms)
    # a substance: every word of the agent is a word of a substance name ("amoxicilline" matches
    # "amoxicilline trihydratee"), or the agent names the spécialité ("doliprane")
    mots = _mots(agent)
    return bool(mots) and (any(mots <= _mots(nom) for nom in noms) or mots <= _mots(libelle))


def _active_au(p: Prescription, maintenant) -> bool:
    # not stopped and not ended; a line that starts later counts too: the checks are about what the person
    # is going to take, not only what is due now
    return p.arrete_le is None and (p.fin is None or p.fin > maintenant)


def verifier(prescription: Prescription, exclure: Prescription | None = None) -> list[Alerte]:
    """The alerts raised by this (unsaved) line for its person. ``exclure``: the line it replaces."""
    alertes: list[Alerte] = []
    usager = prescription.usager
    substances = substances_de(prescription)
    noms = [nom for _, nom, _ in substances]
    libelle = normaliser(prescription.libelle)
    for allergie in Allergie.objects.filter(usager=usager, inactive_le__isnull=True).exclude(
        type_agent=TypeAgent.ALIMENT
    ):
        if _agent_correspond(allergie.agent_normalise, allergie.type_agent, noms, libelle):
            alertes.append(
                Alerte(
                    AlertePrescription.Type.ALLERGIE,
                    f"allergie:{allergie.pk}",
                    f"{allergie.get_nature_display()} connue à « {allergie.agent} » ({allergie.get_severite_display().lower()}"
                    f"{', ' + allergie.reaction if allergie.reaction else ''}) : {prescription.intitule} en contient.",
                )
            )
    maintenant = timezone.now()
    codes = {code for code, _, _ in substances}
    en_cours = Prescription.objects.filter(usager=usager, arrete_le__isnull=True)
    if exclure is not None:
        en_cours = en_cours.exclude(pk=exclure.pk)
    autres = [p for p in en_cours.select_related("substance") if _active_au(p, maintenant)]
    lignes_meme_substance = []
    for autre in autres:
        communes = codes & {code for code, _, _ in substances_de(autre)}
        if communes:
            lignes_meme_substance.append(autre)
            alertes.append(
                Alerte(
                    AlertePrescription.Type.DOUBLON,
                    f"doublon:{autre.pk}",
                    f"Même substance déjà prescrite : {autre.intitule} — {autre.posologie}.",
                )
            )
    for code, nom, _composition in substances:
        plafond = next((mg for stem, mg in DOSES_MAX_MG.items() if stem in _mots(nom)), None)
        if plafond is None:
            continue
        total: Decimal | None = Decimal(0)
        for ligne in [prescription, *lignes_meme_substance]:
            mg = _mg_par_24h(ligne, code)
            if mg is None:
                total = None
                break
            total = (total or Decimal(0)) + mg
        if total is not None and total > plafond:
            alertes.append(
                Alerte(
                    AlertePrescription.Type.DOSE_MAX,
                    f"dose_max:{code}",
                    f"Jusqu'à {total:.0f} mg de {nom} par 24 h avec les lignes en cours : la dose maximale est de "
                    f"{plafond:.0f} mg par 24 h.",
                )
            )
    return alertes


def _mg_par_24h(ligne: Prescription, code: str) -> Decimal | None:
    """The most this line can give of substance ``code`` in 24 h, in mg (None when it cannot be known)."""
    prises = ligne.max_par_24h if ligne.si_besoin else len(ligne.heures)
    if not prises:
        return None
    if ligne.unite == "mg":
        return ligne.dose * prises
    if ligne.unite == "g":
        return ligne.dose * 1000 * prises
    if ligne.unite not in UNITES_DE_PRISE:
        return None
    if ligne.specialite_id:
        composition = next((c for c in substances_de(ligne) if c[0] == code and c[2] is not None), None)
        mg = composition[2].milligrammes() if composition and composition[2] is not None else None
    else:
        mg = _dosage_mg(ligne.dosage_dci)
    return None if mg is None else mg * ligne.dose * prises


def _dosage_mg(texte: str) -> Decimal | None:
    return Composition(dosage=texte).milligrammes() if texte else None
