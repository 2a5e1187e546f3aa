"""Demo data of the administrative side (``manage.py demo``): the EHPAD's absence threshold written down,
and last month's presence record, asked by the admission agent and produced as the worker would."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from . import services


def construire(organisme: Any, etabs: list[Any], pros: dict[str, Any]) -> None:
    ehpad = etabs[0]
    agent = pros["admission"]
    services.do_regler_seuil(agent, ehpad, 72)
    mois = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    export = services.do_demander_export(agent, ehpad, mois)
    services.produire_export(str(export.public_id), agent)
