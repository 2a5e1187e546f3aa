import datetime
import threading
from decimal import Decimal

from django.db import connections
from django.utils import timezone

from dui.tenancy import tenant_context
from medicaments import services
from medicaments.models import DosePlanifiee, Prescription, Specialite, Substance
from tests.soins.conftest import creer_resident  # noqa: F401 - shared helper


def dans_un_autre_thread(fonction):
    """Run ``fonction`` on fresh connections (another thread): the test's own connections are restricted to
    ``default`` and wrapped in its transaction; reference data is committed through ``owner``."""
    resultat, erreurs = [], []

    def executer():
        try:
            resultat.append(fonction())
        except Exception as exc:  # noqa: BLE001 - re-raised in the test
            erreurs.append(exc)
        finally:
            connections.close_all()

    fil = threading.Thread(target=executer)
    fil.start()
    fil.join()
    if erreurs:
        raise erreurs[0]
    return resultat[0]


def specialite(cis: str) -> Specialite:
    return Specialite.objects.get(cis=cis)


DOLIPRANE_1000 = "60234100"  # DOLIPRANE 1000 mg, comprimé (paracétamol)
CIP_DOLIPRANE_1000 = "3400935955838"


def substance(nom: str) -> Substance:
    return Substance.objects.filter(denomination_normalisee=nom).first()


def prescrire(tenant, usager, auteur=None, acquittements=None, specialite_cis=DOLIPRANE_1000, **champs):
    auteur = auteur or tenant["medecin"]
    valeurs = {
        "dose": Decimal(1),
        "unite": "comprime",
        "voie": "orale",
        "heures": [datetime.time(8), datetime.time(20)],
        "debut": timezone.now() - datetime.timedelta(minutes=1),
    }
    if specialite_cis:
        valeurs["specialite"] = Specialite.objects.get(cis=specialite_cis)
    valeurs.update(champs)
    with tenant_context(tenant.organisme.pk):
        return services.do_prescrire(
            auteur, Prescription(usager=usager, etablissement=tenant.ehpad, **valeurs), acquittements
        )


def plan_depuis(tenant, prescription, jours: float) -> None:
    """The line as if written ``jours`` days ago, with the plan generated then (the past doses exist)."""
    avant = timezone.now() - datetime.timedelta(days=jours)
    with tenant_context(tenant.organisme.pk):
        Prescription.objects.filter(pk=prescription.pk).update(debut=avant)
        prescription.refresh_from_db()
        services.generer_plan(prescription, maintenant=avant)


def dose_due(tenant, usager, **champs) -> DosePlanifiee:
    """A line whose dose was due five minutes ago (its plan generated an hour before): the dose to validate."""
    heure = (timezone.localtime() - datetime.timedelta(minutes=5)).time().replace(second=0, microsecond=0)
    prescription = prescrire(tenant, usager, heures=[heure], **champs)
    plan_depuis(tenant, prescription, 1 / 24)
    with tenant_context(tenant.organisme.pk):
        return DosePlanifiee.objects.filter(prescription=prescription, prevue_le__lte=timezone.now()).latest(
            "prevue_le"
        )


def dose_decalee(tenant, usager, minutes: int, **champs) -> DosePlanifiee:
    """The dose of a daily line due ``minutes`` from now (negative: in the past), its plan generated before."""
    cible = (timezone.localtime() + datetime.timedelta(minutes=minutes)).replace(second=0, microsecond=0)
    prescription = prescrire(tenant, usager, heures=[cible.time()], **champs)
    plan_depuis(tenant, prescription, max(-minutes + 60, 60) / 1440)
    with tenant_context(tenant.organisme.pk):
        return DosePlanifiee.objects.get(prescription=prescription, prevue_le=cible)
