"""Row-level security on every accompagnement table carrying organisme_id (CodeSerafin is reference
data without organisme: see docs/decisions/0003-donnees-de-reference.md)."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("accompagnement_action"),
        EnableRLS("accompagnement_attente"),
        EnableRLS("accompagnement_avisvalidation"),
        EnableRLS("accompagnement_besoin"),
        EnableRLS("accompagnement_besoinevalue"),
        EnableRLS("accompagnement_evaluationaggir"),
        EnableRLS("accompagnement_evaluationgrille"),
        EnableRLS("accompagnement_evaluationserafin"),
        EnableRLS("accompagnement_grilleevaluation"),
        EnableRLS("accompagnement_itemgrille"),
        EnableRLS("accompagnement_objectif"),
        EnableRLS("accompagnement_observation"),
        EnableRLS("accompagnement_projetpersonnalise"),
        EnableRLS("accompagnement_rappel"),
        EnableRLS("accompagnement_historicalaction"),
        HistoryIndex("accompagnement_historicalaction"),
        EnableRLS("accompagnement_historicalattente"),
        HistoryIndex("accompagnement_historicalattente"),
        EnableRLS("accompagnement_historicalavisvalidation"),
        HistoryIndex("accompagnement_historicalavisvalidation"),
        EnableRLS("accompagnement_historicalbesoin"),
        HistoryIndex("accompagnement_historicalbesoin"),
        EnableRLS("accompagnement_historicalevaluationaggir"),
        HistoryIndex("accompagnement_historicalevaluationaggir"),
        EnableRLS("accompagnement_historicalevaluationgrille"),
        HistoryIndex("accompagnement_historicalevaluationgrille"),
        EnableRLS("accompagnement_historicalevaluationserafin"),
        HistoryIndex("accompagnement_historicalevaluationserafin"),
        EnableRLS("accompagnement_historicalgrilleevaluation"),
        HistoryIndex("accompagnement_historicalgrilleevaluation"),
        EnableRLS("accompagnement_historicalobjectif"),
        HistoryIndex("accompagnement_historicalobjectif"),
        EnableRLS("accompagnement_historicalobservation"),
        HistoryIndex("accompagnement_historicalobservation"),
        EnableRLS("accompagnement_historicalprojetpersonnalise"),
        HistoryIndex("accompagnement_historicalprojetpersonnalise"),
    ]
