"""Demo data of the exchanges: Yvonne Garnier's identity qualified (INSi + identity card), her DLU produced
and sent to the DMP and to her médecin traitant by MSSanté — really sent, by the worker, to the local test
servers that ``bin/run`` starts —, and Marcel Bonnet's opposition to the DMP recorded."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from dui.history import update_with_history


def construire(organisme, ehpad, usagers, pros) -> None:
    from documents.models import Document
    from soins.services import do_demander_dlu
    from soins.tasks import generer_dlu
    from usagers.models import Consentement, TransitionIdentite, Usager

    from . import services
    from .models import BoiteMssante

    medecin, infirmiere = pros["medecin"], pros["infirmiere"]
    garnier = usagers["Garnier"]
    # RNIV: INSi answer (RECUP), then the identity card checked (QUAL). The matricule is the INSi test server's.
    update_with_history(
        Usager.objects.filter(pk=garnier.pk),
        statut_identite="QUAL",
        matricule_ins="235021305512370",
        oid_ins="1.2.250.1.213.1.4.10",
    )
    il_y_a = timezone.now() - datetime.timedelta(days=20)
    TransitionIdentite.objects.create(
        organisme=organisme,
        usager=garnier,
        de="PROV",
        vers="RECUP",
        moyen="insi",
        auteur=infirmiere,
        horodatage=il_y_a,
    )
    TransitionIdentite.objects.create(
        organisme=organisme,
        usager=garnier,
        de="RECUP",
        vers="QUAL",
        moyen="document",
        type_document="cni",
        auteur=infirmiere,
        horodatage=il_y_a,
    )
    garnier.refresh_from_db()
    Consentement.objects.create(
        organisme=organisme,
        usager=garnier,
        type_consentement="dmp",
        reponse="accepte",
        exprime_par="usager",
        date_recueil=il_y_a.date(),
        recueilli_par=infirmiere,
    )
    Consentement.objects.create(
        organisme=organisme,
        usager=usagers["Bonnet"],
        type_consentement="dmp",
        reponse="refuse",
        exprime_par="usager",
        date_recueil=il_y_a.date(),
        recueilli_par=infirmiere,
        commentaire="Ne souhaite pas de DMP.",
    )

    # the EHPAD's MSSanté mailbox (the local IMAP server of bin/run holds a discharge letter for Mme Garnier,
    # and the médecin traitant's read receipt arrives there)
    BoiteMssante.objects.create(organisme=organisme, etablissement=ehpad, adresse=settings.DUI_MSS_EXPEDITEUR)

    document = do_demander_dlu(medecin, garnier, ehpad)
    generer_dlu.run(str(document.public_id), acteur=medecin)  # produced now: the demo opens with it ready
    document = Document.objects.get(pk=document.pk)
    services.do_demander_envoi_dmp(medecin, document)
    medecin_traitant = garnier.intervenants.filter(role="medecin_traitant").exclude(adresse_mss="").first()
    if medecin_traitant is not None:
        services.do_demander_envoi_mssante(
            medecin, document, medecin_traitant.adresse_mss, f"{medecin_traitant.nom} (médecin traitant)"
        )
