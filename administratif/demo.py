"""Demo data of the administrative side (``manage.py demo``): the EHPAD's absence threshold written down,
and last month's presence record, asked by the admission agent and produced as the worker would."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from . import services


def construire(organisme: Any, etabs: list[Any], pros: dict[str, Any], usagers: dict[str, Any]) -> None:
    ehpad, mas = etabs[0], etabs[1]
    agent = pros["admission"]
    aujourdhui = timezone.localdate()
    # rights and aids: an APA with its GIR, an aide sociale, and a CDAPH orientation to renew soon
    services.do_enregistrer_droit(
        agent, usagers["Lefèvre"], ehpad, type_droit="apa", organisme_payeur="Conseil départemental de Paris",
        reference="APA-75-2025-3318", debut=datetime.date(aujourdhui.year - 1, 3, 1), montant=Decimal("612.50"),
        gir=2,
    )  # fmt: skip
    services.do_enregistrer_droit(
        agent, usagers["Moreau"], ehpad, type_droit="ash", organisme_payeur="Conseil départemental du Rhône",
        reference="ASH-69-2024-077", debut=datetime.date(aujourdhui.year - 2, 1, 1),
        fin=aujourdhui + datetime.timedelta(days=45), taux=Decimal("90"),
        commentaire="Participation de 90 % des ressources.",
    )  # fmt: skip
    services.do_enregistrer_droit(
        agent, usagers["Perrin"], mas, type_droit="orientation", organisme_payeur="MDPH de Paris (CDAPH)",
        reference="CDAPH-75-2021-5521", orientation="MAS", debut=datetime.date(aujourdhui.year - 5, 1, 15),
        fin=aujourdhui + datetime.timedelta(days=120),
    )  # fmt: skip
    services.do_regler_seuil(agent, ehpad, 72)
    mois = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    export = services.do_demander_export(agent, ehpad, mois)
    services.produire_export(str(export.public_id), agent)
    _contrats(organisme, ehpad, pros, usagers)


MODELE_EHPAD = """# Contrat de séjour

Entre l'{{ organisme }}, pour l'{{ etablissement }} (FINESS {{ finess }}), d'une part,
et {{ prenom }} {{ nom }}, née {{ nom_naissance }} le {{ date_naissance }}, d'autre part, représentée le cas échéant
par {{ representant }}.

# Article 1 — Objet et durée
Le présent contrat définit les conditions de l'accueil en {{ mode_accueil }} à compter du {{ date_entree }}, pour une
durée indéterminée. Il est établi conformément aux articles L311-4 et D311 du code de l'action sociale et des
familles.

# Article 2 — Logement
{{ prenom }} {{ nom }} occupe la chambre {{ chambre }} de l'unité {{ unite }}.

# Article 3 — Prestations et tarifs
Les prestations d'hébergement, de dépendance et de soins, et leurs tarifs, sont décrits en annexe. En cas d'absence
de plus de soixante-douze heures, le tarif d'hébergement est minoré dans les conditions de l'article R314-204.

# Article 4 — Résiliation
Le contrat peut être résilié dans les conditions de l'article L311-4-1 du code de l'action sociale et des familles.

Fait le {{ date_du_jour }}, en deux exemplaires."""


def _contrats(organisme: Any, ehpad: Any, pros: dict[str, Any], usagers: dict[str, Any]) -> None:
    """A contract template; the contract of a resident admitted ten days ago, handed, to be signed; the
    welcome documents handed."""
    from usagers.models import Sejour

    modele = services.do_enregistrer_modele(pros["admin"], nom="Contrat de séjour EHPAD", genre="contrat",
                                            corps=MODELE_EHPAD, actif=True)  # fmt: skip
    services.do_enregistrer_modele(
        pros["admin"], nom="Avenant au contrat de séjour", genre="avenant", actif=True,
        corps="# Avenant\n\nLe contrat de séjour de {{ prenom }} {{ nom }} est modifié comme suit :\n\n…",
    )  # fmt: skip
    agent = pros["admission"]
    sejour = Sejour.objects.filter(usager=usagers["Bonnet"], etablissement=ehpad).first()
    if sejour is None:
        return
    contrat = services.do_etablir_contrat(agent, sejour, modele)
    services.do_remettre(agent, contrat, timezone.localdate(), "Marcel Bonnet et sa fille")
    services.do_enregistrer_remises(
        agent, sejour, {"livret": timezone.localdate(), "charte": timezone.localdate(), "reglement": None}
    )
