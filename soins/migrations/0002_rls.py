"""Row-level security on every soins table (all carry organisme_id)."""

from django.db import migrations

from dui.rls import EnableRLS, HistoryIndex


class Migration(migrations.Migration):
    dependencies = [("soins", "0001_initial"), ("dui", "0003_rls")]

    operations = [
        EnableRLS("soins_allergie"),
        EnableRLS("soins_antecedent"),
        EnableRLS("soins_constante"),
        EnableRLS("soins_dossiersoins"),
        EnableRLS("soins_historicalallergie"),
        HistoryIndex("soins_historicalallergie"),
        EnableRLS("soins_historicalantecedent"),
        HistoryIndex("soins_historicalantecedent"),
        EnableRLS("soins_historicalconstante"),
        HistoryIndex("soins_historicalconstante"),
        EnableRLS("soins_historicaldossiersoins"),
        HistoryIndex("soins_historicaldossiersoins"),
        EnableRLS("soins_historicalintervenant"),
        HistoryIndex("soins_historicalintervenant"),
        EnableRLS("soins_historicalrealisationsoin"),
        HistoryIndex("soins_historicalrealisationsoin"),
        EnableRLS("soins_historicalseuilconstante"),
        HistoryIndex("soins_historicalseuilconstante"),
        EnableRLS("soins_historicalsoinplanifie"),
        HistoryIndex("soins_historicalsoinplanifie"),
        EnableRLS("soins_historicaltransmission"),
        HistoryIndex("soins_historicaltransmission"),
        EnableRLS("soins_historicalvaccination"),
        HistoryIndex("soins_historicalvaccination"),
        EnableRLS("soins_intervenant"),
        EnableRLS("soins_lecture"),
        EnableRLS("soins_prisedeposte"),
        EnableRLS("soins_realisationsoin"),
        EnableRLS("soins_seuilconstante"),
        EnableRLS("soins_soinplanifie"),
        EnableRLS("soins_transmission"),
        EnableRLS("soins_vaccination"),
    ]
