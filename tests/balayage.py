"""What the sweeps share: one set of real objects per organisme, and for every named route that takes a
parameter, how to build its URL from those objects, who of the organisme owns it (gets past the lookup)
and how it is called.

The sweeps themselves are functions returning the problems they found, so that a test can also show them
failing on a deliberately unguarded view (``tests/dui/test_balayages.py``).
"""

from __future__ import annotations

import datetime
import io
import uuid
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from dui.tenancy import tenant_context


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[dict[str, Any]], dict[str, Any]]
    proprietaire: str  # a role of the tenant, or "admin" / "dpo"
    post_seulement: bool = False
    requete: Callable[[dict[str, Any]], str] | None = None  # query string the page needs (a unit, an ESMS)
    controle: tuple[tuple[str, str], ...] = ()  # what the owner posts to a POST-only route (positive control)


def _u(o):
    return {"public_id": o["usager"].public_id}


def _id(cle: str):
    return lambda o: {"public_id": o[cle].public_id}


# Every named route with a parameter. A route added to the project without an entry here fails the sweeps.
ROUTES: dict[str, Route] = {
    # shell and kernel
    "etablissement": Route(_id("ehpad"), "infirmier"),
    "journal_export_fichier": Route(_id("export"), "dpo"),
    "export_liste_statut": Route(_id("export_liste"), "agent_administratif"),
    "export_liste_fichier": Route(
        lambda o: {"public_id": o["export_liste"].public_id, "format_": "csv"}, "agent_administratif"
    ),
    "rgpd:telecharger": Route(_id("droit_acces"), "dpo", post_seulement=True),
    "rgpd:anonymiser": Route(_id("archive"), "dpo", post_seulement=True),  # unconfirmed: nothing done
    # habilitations
    "habilitations:bris_de_glace": Route(
        lambda o: {"objet_type": "etablissement", "public_id": o["mas"].public_id}, "aide_soignant"
    ),
    "habilitations:revoir_bris_de_glace": Route(_id("bris_de_glace"), "dpo", post_seulement=True),
    # administration
    "administration:etablissement_modifier": Route(_id("ehpad"), "admin"),
    "administration:etablissement_unites": Route(_id("ehpad"), "admin"),
    "administration:professionnel": Route(_id("professionnel"), "admin"),
    "administration:habilitation_ajouter": Route(_id("professionnel"), "admin", post_seulement=True),
    "administration:habilitation_terminer": Route(_id("habilitation"), "admin", post_seulement=True),
    "administration:professionnel_activation": Route(_id("professionnel"), "admin", post_seulement=True),
    "administration:professionnel_reinitialiser": Route(_id("professionnel"), "admin", post_seulement=True),
    "administration:exception_ajouter": Route(_id("professionnel"), "admin", post_seulement=True),
    "administration:tablette_revoquer": Route(_id("tablette"), "admin", post_seulement=True),
    "administration:exception_retirer": Route(
        lambda o: {"public_id": o["professionnel"].public_id, "exception_id": o["exception"].pk},
        "admin",
        post_seulement=True,
    ),
    # usagers
    "usagers:exception_retirer": Route(
        lambda o: {"exception_id": o["exception_dossier"].pk}, "admin", post_seulement=True
    ),
    "usagers:dossier": Route(_u, "agent_administratif"),
    "usagers:administratif": Route(_u, "agent_administratif"),
    "usagers:entourage": Route(_u, "agent_administratif"),
    "usagers:proche": Route(
        lambda o: {"public_id": o["usager"].public_id, "proche_id": o["proche"].public_id},
        "agent_administratif",
    ),
    "usagers:consentements": Route(_u, "agent_administratif"),
    "usagers:presence": Route(_u, "agent_administratif"),
    "usagers:photo": Route(_u, "infirmier"),
    "usagers:changer_photo": Route(_u, "agent_administratif", post_seulement=True),
    "usagers:corriger_identite": Route(_u, "agent_administratif"),
    "usagers:verifier_document": Route(_u, "agent_administratif", post_seulement=True),
    "usagers:demander_insi": Route(_u, "agent_administratif", post_seulement=True),
    "usagers:fusionner": Route(_u, "agent_administratif", post_seulement=True),
    "usagers:appel_insi": Route(
        lambda o: {"public_id": o["usager"].public_id, "appel_id": o["appel_insi"].public_id},
        "agent_administratif",
    ),
    "usagers:occupation": Route(lambda o: {"etablissement_id": o["ehpad"].public_id}, "directeur"),
    # admission
    "admission:demande": Route(_id("demande"), "agent_administratif"),
    "admission:piece": Route(
        lambda o: {"public_id": o["demande"].public_id, "piece_id": o["piece"].public_id},
        "agent_administratif",
    ),
    # documents
    "documents:dossier": Route(_u, "infirmier"),
    "documents:fichier": Route(_id("document"), "infirmier"),
    "documents:statut": Route(_id("document"), "infirmier"),
    "documents:deposer": Route(_u, "agent_administratif"),
    "documents:fiche": Route(_id("document_depose"), "agent_administratif"),
    "documents:classer": Route(_id("document_depose"), "agent_administratif"),
    "documents:version": Route(_id("document_depose"), "agent_administratif", post_seulement=True),
    "documents:erreur": Route(_id("document_depose"), "agent_administratif", post_seulement=True),
    "documents:apercu": Route(_id("document_depose"), "agent_administratif"),
    "documents:vignette": Route(_id("document_depose"), "agent_administratif"),
    "documents:classe": Route(_id("classe_document"), "admin"),
    "documents:detruire": Route(_id("document_a_detruire"), "dpo", post_seulement=True),  # no reason: kept
    # administratif
    # relation usager (the team's side)
    "relation:qualite": Route(_id("ehpad"), "directeur"),
    # pilotage
    "pilotage:esms": Route(lambda o: {"etablissement_id": o["ehpad"].public_id}, "directeur"),
    "pilotage:coupes": Route(lambda o: {"etablissement_id": o["ehpad"].public_id}, "directeur"),
    "pilotage:rapports": Route(
        lambda o: {"etablissement_id": o["ehpad"].public_id},
        "directeur",
        post_seulement=True,
        controle=(("annee", "2025"),),
    ),  # fmt: skip
    "pilotage:rapport_statut": Route(_id("rapport"), "directeur"),
    "pilotage:rapport_fichier": Route(
        lambda o: {"public_id": o["rapport"].public_id, "format_": "pdf"}, "directeur"
    ),
    "relation:cvs": Route(_id("ehpad"), "directeur"),
    "relation:enquetes": Route(_id("ehpad"), "directeur"),
    "relation:campagne": Route(_id("campagne"), "directeur"),
    "relation:campagne_export": Route(_id("campagne"), "directeur"),
    "relation:reunion_cvs": Route(_id("reunion_cvs"), "directeur"),
    "relation:reunion_cvs_pdf": Route(_id("reunion_cvs"), "directeur"),
    "relation:reclamation_nouvelle": Route(_id("ehpad"), "infirmier"),
    "relation:reclamation": Route(_id("reclamation"), "directeur"),
    "relation:reclamation_pdf": Route(_id("reclamation"), "directeur"),
    "relation:declarer": Route(_id("ehpad"), "aide_soignant"),
    "relation:evenement": Route(_id("evenement_indesirable"), "chef_service"),
    "relation:evenement_ars": Route(_id("evenement_indesirable"), "chef_service"),
    "relation:dossier": Route(_u, "educateur"),
    "relation:inviter": Route(_u, "educateur"),
    "relation:refus": Route(_u, "educateur", post_seulement=True),
    "relation:partager": Route(_u, "educateur", post_seulement=True),
    "relation:acces": Route(_id("acces_portail"), "educateur", post_seulement=True),
    "relation:retirer_partage": Route(_id("partage"), "agent_administratif", post_seulement=True),
    "relation:boite": Route(_id("ehpad"), "educateur"),
    "relation:fil": Route(_id("fil"), "educateur"),
    "relation:fil_action": Route(_id("fil"), "educateur", post_seulement=True),
    "relation:classer": Route(_id("message"), "educateur", post_seulement=True),
    "relation:piece": Route(_id("piece_portail"), "educateur"),
    "administratif:presence": Route(_id("ehpad"), "agent_administratif"),
    "administratif:export_statut": Route(_id("export_presence"), "agent_administratif"),
    "administratif:export_csv": Route(_id("export_presence"), "agent_administratif"),
    "administratif:export_xlsx": Route(_id("export_presence"), "agent_administratif"),
    "administratif:droits": Route(_u, "agent_administratif"),
    "administratif:contrats": Route(_u, "agent_administratif"),
    "administratif:contrat_etablir": Route(_u, "agent_administratif", post_seulement=True),
    **{
        f"administratif:contrat_{nom}": Route(
            lambda o: {"public_id": o["usager"].public_id, "contrat_id": o["contrat"].public_id},
            "agent_administratif",
            post_seulement=nom != "signer",
        )
        for nom in ("remettre", "signer", "copie", "refus")
    },
    "administratif:remises": Route(
        lambda o: {"public_id": o["usager"].public_id, "sejour_id": o["sejour"].public_id},
        "agent_administratif",
        post_seulement=True,
    ),
    "administratif:suivi_contrats": Route(_id("ehpad"), "directeur"),
    "administratif:modele": Route(_id("modele_contrat"), "admin"),
    "administratif:droit_nouveau": Route(_u, "agent_administratif"),
    "administratif:droit": Route(
        lambda o: {"public_id": o["usager"].public_id, "droit_id": o["droit"].public_id},
        "agent_administratif",
    ),
    "administratif:reprendre_orientation": Route(
        lambda o: {"public_id": o["usager"].public_id, "demande_id": o["demande_cdaph"].public_id},
        "agent_administratif",
        post_seulement=True,
    ),
    # accompagnement
    "accompagnement:projets": Route(_u, "educateur"),
    "accompagnement:projet": Route(_id("projet"), "educateur"),
    "accompagnement:evaluations": Route(_u, "infirmier"),
    "accompagnement:aggir_nouvelle": Route(_u, "infirmier"),
    "accompagnement:aggir_apercu": Route(_u, "infirmier", post_seulement=True),
    "accompagnement:aggir": Route(_id("aggir"), "infirmier"),
    "accompagnement:serafin_nouvelle": Route(_u, "educateur"),
    "accompagnement:serafin": Route(_id("serafin"), "educateur"),
    "accompagnement:evaluer_grille": Route(
        lambda o: {"public_id": o["usager"].public_id, "grille_id": o["grille"].public_id}, "educateur"
    ),
    "accompagnement:evaluation_grille": Route(_id("evaluation_grille"), "educateur"),
    "accompagnement:grille": Route(_id("grille"), "directeur"),
    "accompagnement:journal": Route(_u, "educateur"),
    "accompagnement:bilans": Route(lambda o: {"etablissement_id": o["ehpad"].public_id}, "directeur"),
    "accompagnement:gmp": Route(lambda o: {"etablissement_id": o["ehpad"].public_id}, "directeur"),
    # soins
    "soins:dossier": Route(_u, "infirmier"),
    "soins:constantes": Route(_u, "infirmier"),
    "soins:transmissions": Route(_u, "infirmier"),
    "soins:transmission_rapide": Route(
        _u, "aide_soignant", requete=lambda o: f"unite={o['unite'].public_id}"
    ),
    "soins:plan": Route(_u, "infirmier"),
    "soins:valider": Route(_id("soin"), "aide_soignant", post_seulement=True),
    "soins:corriger": Route(_id("realisation"), "aide_soignant", post_seulement=True),
    "soins:releve": Route(_id("unite"), "infirmier"),
    "soins:lu": Route(_id("unite"), "infirmier", post_seulement=True, controle=(("objet", "tout"),)),
    "soins:journee": Route(_id("unite"), "aide_soignant"),
    "soins:tour": Route(_id("unite"), "aide_soignant"),
    # médicaments
    "medicaments:dossier": Route(_u, "infirmier"),
    "medicaments:pilulier": Route(_u, "infirmier"),
    "medicaments:modifier": Route(_id("prescription"), "medecin"),
    "medicaments:si_besoin": Route(_id("si_besoin"), "infirmier", post_seulement=True),
    "medicaments:administrer": Route(_id("dose"), "infirmier", post_seulement=True),
    "medicaments:corriger": Route(_id("administration"), "infirmier", post_seulement=True),
    "medicaments:reevaluer": Route(_id("administration_si_besoin"), "infirmier", post_seulement=True),
    "medicaments:tournee": Route(_id("unite"), "infirmier"),
    "medicaments:piluliers": Route(_id("unite"), "infirmier"),
    # annuaire et coordination
    "annuaire:partenaire": Route(_id("partenaire"), "agent_administratif"),
    "coordination:dossier": Route(_u, "infirmier"),
    "coordination:nouveau_rdv": Route(_u, "infirmier"),
    "coordination:evenement": Route(_id("evenement"), "infirmier"),
    "coordination:visite": Route(_id("visite"), "infirmier", post_seulement=True, controle=(("fait", "0"),)),
    "coordination:presence": Route(
        _id("participation"), "educateur", post_seulement=True, controle=(("presence", "present"),)
    ),
    "coordination:unite": Route(_id("unite"), "aide_soignant"),
    "coordination:ressource": Route(_id("ressource"), "infirmier"),
    "coordination:etablissement": Route(_id("ehpad"), "directeur"),
    "coordination:nouvelle_activite": Route(_id("ehpad"), "educateur"),
    "coordination:revoquer": Route(_id("jeton"), "infirmier", post_seulement=True),
    "coordination:demander_feuille": Route(_id("ehpad"), "aide_soignant", post_seulement=True),
    "coordination:feuille": Route(_id("feuille"), "aide_soignant"),
    "coordination:statistiques": Route(_id("ehpad"), "directeur"),
    "coordination:agenda_professionnel": Route(_id("collegue"), "infirmier"),
    # échanges
    "interop:document": Route(_id("document"), "medecin"),
    "interop:dossier": Route(_u, "infirmier"),
    "interop:export_fhir": Route(
        lambda o: {"public_id": o["usager"].public_id, "etablissement_id": o["ehpad"].public_id}, "infirmier"
    ),
    "interop:indicateurs": Route(lambda o: {"etablissement_id": o["ehpad"].public_id}, "directeur"),
    "interop:relancer": Route(_id("envoi"), "infirmier", post_seulement=True),
    "interop:annuler": Route(_id("envoi"), "infirmier", post_seulement=True),
    "interop:message": Route(_id("message_recu"), "infirmier"),
    "interop:message_ecarter": Route(_id("message_recu"), "infirmier", post_seulement=True),
    "interop:message_piece": Route(
        lambda o: {"public_id": o["message_recu"].public_id, "rang": 1}, "infirmier"
    ),
    "interop:boite_mssante": Route(lambda o: {"etablissement_id": o["ehpad"].public_id}, "admin"),
}


# Routes reached without a session, whose parameter is itself the credential: the sweeps cannot give them an
# "owner" and another tenant's professional holding the secret would get through by design. Each is tested
# where it lives (revoked or unknown secret → 404, content limited).
SANS_SESSION: dict[str, str] = {
    "coordination:flux": "tests/coordination/test_views.py::test_flux_icalendar_sans_donnee_de_sante_et_revocable",
    "relation:portail_invitation": "tests/relation/test_portail.py::test_lien_d_invitation_expire_ou_reutilise",
    # the credential is the tablet's cookie, then the PIN: a shift of another tablet is never taken back
    "habilitations:tablette_reprendre": "tests/habilitations/test_tablette.py::test_reprendre_exige_la_tablette_du_poste",
}

# The space of the persons and relatives (/espace/): no professional reaches it; its own sweep
# (tests/relation/test_portail.py::test_balayage_de_l_espace) takes each route with a relative of A's person
# (through), a relative of another person of the same ESMS, one of another organisme and A's professionals.
PORTAIL: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "relation:portail_personne": lambda o: {"public_id": o["acces_portail"].public_id},
    "relation:portail_projet": lambda o: {"public_id": o["acces_portail"].public_id},
    "relation:portail_agenda": lambda o: {"public_id": o["acces_portail"].public_id},
    "relation:portail_documents": lambda o: {"public_id": o["acces_portail"].public_id},
    "relation:portail_document": lambda o: {
        "public_id": o["acces_portail"].public_id,
        "partage_id": o["partage"].public_id,
    },
    "relation:portail_messages": lambda o: {"public_id": o["acces_portail"].public_id},
    "relation:portail_reclamation": lambda o: {"public_id": o["acces_portail"].public_id},
    "relation:portail_enquete": lambda o: {
        "public_id": o["acces_portail"].public_id,
        "campagne_id": o["campagne"].public_id,
    },
    "relation:portail_fil": lambda o: {
        "public_id": o["acces_portail"].public_id,
        "fil_id": o["fil"].public_id,
    },
    "relation:portail_piece": lambda o: {
        "public_id": o["acces_portail"].public_id,
        "piece_id": o["piece_portail"].public_id,
    },
}


def utilisateur(tenant, qui: str):
    return {"admin": tenant.admin, "dpo": tenant.dpo}.get(qui) or tenant[qui]


def url_de_route(route: Route, nom: str, objets: dict[str, Any]) -> str:
    return reverse(nom, kwargs=route.kwargs(objets)) + (f"?{route.requete(objets)}" if route.requete else "")


def _png() -> bytes:
    from PIL import Image

    tampon = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(tampon, "PNG")
    return tampon.getvalue()


def _tablette(tenant, t: str):
    """A shared tablet of the EHPAD (issue 23, item 7)."""
    from habilitations import postes

    with tenant_context(tenant.organisme.pk):
        poste, _ = postes.enroler(tenant.admin, tenant.ehpad, f"Chariot {t}")
    return poste


def objets(tenant, texte: str = "") -> dict[str, Any]:
    """One real object of each kind for ``tenant`` (``texte`` goes into their free-text fields: the leak
    sweeps plant a canary there). The person lives in the EHPAD's unit; everything hangs on it."""
    from accompagnement import aggir
    from accompagnement import services as accompagnement
    from accompagnement.models import EvaluationGrille, EvaluationSerafin, GrilleEvaluation
    from admission.models import DemandeAdmission, PieceJointe
    from dui.models import ExportJournal
    from habilitations.models import BrisDeGlace, ExceptionAccesEtablissement, Habilitation
    from interop.models import Envoi
    from medicaments.models import Administration, DosePlanifiee
    from soins.models import RealisationSoin
    from tests.accompagnement.conftest import projet_en_co_construction
    from tests.factories import ProfessionnelFactory
    from tests.interop.conftest import document_pret
    from tests.medicaments.conftest import prescrire
    from tests.soins.conftest import creer_resident, planifier
    from usagers.models import AppelInsi, ExceptionAccesUsager, Proche

    t = texte
    usager = creer_resident(
        tenant, nom_naissance=f"Balayage{t}", premier_prenom="Rose", prenoms_naissance=["Rose"]
    )
    o: dict[str, Any] = {"ehpad": tenant.ehpad, "mas": tenant.mas, "unite": tenant.unite, "usager": usager}
    o["projet"] = projet_en_co_construction(tenant, usager)
    o["document"] = document_pret(tenant, usager, titre=f"DLU {t}")
    o.update(_documents_deposes(tenant, usager, t))
    o.update(_relation(tenant, usager, o["document_depose"], t))
    o["export_presence"] = _export_presence(tenant)
    o["rapport"] = _rapport(tenant)
    o["export_liste"] = _export_liste(tenant)
    o["tablette"] = _tablette(tenant, t)
    o.update(_droits(tenant, usager, t))
    o["prescription"] = prescrire(tenant, usager, heures=[datetime.time(0, 0)], commentaire=f"Ligne {t}")
    o["si_besoin"] = prescrire(
        tenant,
        usager,
        specialite_cis="60192594",
        si_besoin=True,
        heures=[],
        indication=f"Douleur {t}",
        max_par_24h=4,
    )
    o["soin"] = planifier(tenant, usager, heures=[datetime.time(0, 0)], consignes=f"Consigne {t}")
    with tenant_context(tenant.organisme.pk):
        # a professional of its own: the administration routes deactivate, reset and end habilitations
        pro = ProfessionnelFactory(organisme=tenant.organisme)
        o["professionnel"] = pro
        o["habilitation"] = Habilitation.objects.create(
            organisme=tenant.organisme,
            professionnel=pro,
            etablissement=tenant.mas,
            role="educateur",
            debut=timezone.localdate() - datetime.timedelta(days=10),
        )
        from django.contrib.auth.models import Permission

        o["exception"] = ExceptionAccesEtablissement.objects.create(
            organisme=tenant.organisme,
            user=pro,
            content_object=tenant.mas,
            permission=Permission.objects.get(codename="refuser_social", content_type__app_label="dui"),
        )
        o["exception_dossier"] = ExceptionAccesUsager.objects.create(
            organisme=tenant.organisme,
            user=pro,
            content_object=usager,
            permission=Permission.objects.get(codename="refuser_medical", content_type__app_label="usagers"),
        )
        o["bris_de_glace"] = BrisDeGlace.objects.create(
            organisme=tenant.organisme,
            professionnel=tenant["infirmier"],
            etablissement=tenant.mas,
            objet_type="dui.etablissement",
            objet_id=tenant.mas.public_id,
            objet_libelle=f"MAS {t}",
            motif=f"Urgence de nuit, aucun autre soignant joignable {t}",
            expire_le=timezone.now() + datetime.timedelta(hours=1),
        )
        chemin = Path(settings.MEDIA_ROOT) / "exports" / str(tenant.organisme.pk) / "journal-balayage.csv"
        chemin.parent.mkdir(parents=True, exist_ok=True)
        chemin.write_text(f"horodatage;libellé\n01/01/2026;{t}\n", encoding="utf-8-sig")
        o["export"] = ExportJournal.objects.create(
            organisme=tenant.organisme,
            demandeur=tenant.dpo,
            statut="termine",
            fichier=str(chemin.relative_to(settings.MEDIA_ROOT)),
            nb_lignes=1,
        )
        from rgpd.models import DemandeDroitAcces
        from tests.factories import SejourFactory, UsagerFactory

        # a dossier closed long ago, archived and past its retention: proposed to the DPO for anonymisation
        parti = UsagerFactory(organisme=tenant.organisme, nom_naissance=f"Archive{t}")
        SejourFactory(
            usager=parti,
            etablissement=tenant.ehpad,
            date_entree=datetime.date(2000, 1, 1),
            date_sortie=datetime.date(2002, 1, 1),
        )
        parti.archive_le = timezone.now()
        parti.save(update_fields=["archive_le"])
        o["archive"] = parti

        zip_rgpd = Path(settings.MEDIA_ROOT) / "rgpd" / str(tenant.organisme.pk) / "droit-acces-balayage.zip"
        zip_rgpd.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(zip_rgpd, "w") as zf:
            zf.writestr("donnees.json", f'{{"personne": "Balayage{t}"}}')
        o["droit_acces"] = DemandeDroitAcces.objects.create(
            organisme=tenant.organisme,
            usager=usager,
            demandeur=tenant.dpo,
            motif=f"Courrier {t}",
            statut="termine",
            fichier=str(zip_rgpd.relative_to(settings.MEDIA_ROOT)),
            termine_le=timezone.now(),
            expire_le=timezone.now() + datetime.timedelta(days=7),
        )
        usager.photo.save(f"{tenant.organisme.pk}/balayage.png", ContentFile(_png()), save=True)
        o["proche"] = Proche.objects.create(
            organisme=tenant.organisme, usager=usager, nom=f"Proche{t}", lien="enfant", telephone="0600000000"
        )
        o["appel_insi"] = AppelInsi.objects.create(
            organisme=tenant.organisme, usager=usager, demandeur=tenant["agent_administratif"]
        )
        o["demande"] = DemandeAdmission.objects.create(
            organisme=tenant.organisme,
            etablissement=tenant.ehpad,
            nom_naissance=f"Demande{t}",
            prenoms_naissance=["Léa"],
            date_naissance=datetime.date(1940, 1, 1),
            sexe="F",
            lieu_naissance_insee="75056",
            origine="directe",
            contact=f"Fille {t}",
        )
        piece = PieceJointe(
            organisme=tenant.organisme,
            demande=o["demande"],
            libelle=f"Certificat {t}",
            depose_par=tenant["agent_administratif"],
        )
        piece.fichier.save("certificat.pdf", ContentFile(b"%PDF-1.4 balayage"), save=True)
        o["piece"] = piece
        o["aggir"] = accompagnement.do_enregistrer_aggir(
            tenant["infirmier"],
            usager,
            tenant.ehpad,
            date_evaluation=timezone.localdate(),
            mode="direct",
            reponses={item: "B" for item in aggir.items_ordonnes()},
            commentaire=f"AGGIR {t}",
        )
        o["serafin"] = EvaluationSerafin.objects.create(
            organisme=tenant.organisme,
            usager=usager,
            etablissement=tenant.ehpad,
            date_evaluation=timezone.localdate(),
            evaluateur=tenant["educateur"],
            commentaire=f"SERAFIN {t}",
        )
        o["grille"] = GrilleEvaluation.objects.create(
            organisme=tenant.organisme, etablissement=tenant.ehpad, nom=f"Grille {t}", categorie="social"
        )
        o["evaluation_grille"] = EvaluationGrille.objects.create(
            organisme=tenant.organisme,
            usager=usager,
            etablissement=tenant.ehpad,
            grille=o["grille"],
            categorie="social",
            date_evaluation=timezone.localdate(),
            evaluateur=tenant["educateur"],
        )
        o["dose"] = DosePlanifiee.objects.create(
            organisme=tenant.organisme,
            prescription=o["prescription"],
            usager=usager,
            etablissement=tenant.ehpad,
            prevue_le=timezone.now(),
        )
        o["administration"] = Administration.objects.create(
            organisme=tenant.organisme,
            prescription=o["si_besoin"],
            usager=usager,
            etablissement=tenant.ehpad,
            statut="donne",
            indication=f"Douleur {t}",
            quantite=1,
            auteur=tenant["infirmier"],
        )
        o["administration_si_besoin"] = Administration.objects.create(
            organisme=tenant.organisme,
            prescription=o["si_besoin"],
            usager=usager,
            etablissement=tenant.ehpad,
            statut="donne",
            indication=f"Fièvre {t}",
            quantite=1,
            auteur=tenant["infirmier"],
            reevaluer_le=timezone.now(),
        )
        o["realisation"] = RealisationSoin.objects.create(
            organisme=tenant.organisme,
            soin=o["soin"],
            usager=usager,
            etablissement=tenant.ehpad,
            date_prevue=timezone.localdate(),
            heure_prevue=datetime.time(0, 0),
            statut="fait",
            auteur=tenant["aide_soignant"],
        )
        o["envoi"] = Envoi.objects.create(
            organisme=tenant.organisme,
            type_envoi="dmp",
            etablissement=tenant.ehpad,
            usager=usager,
            document=o["document"],
            cle_idempotence=f"dmp:{o['document'].public_id}",
            statut="echec",
            prochain_essai=timezone.now(),
            demande_par=tenant["medecin"],
            derniere_erreur=f"Erreur {t}",
        )
        from interop.models import BoiteMssante, MessageRecu

        o["boite_mssante"], _ = BoiteMssante.objects.get_or_create(
            organisme=tenant.organisme,
            etablissement=tenant.ehpad,
            defaults={"adresse": f"bal-{tenant.organisme.pk}@esms.mssante.fr"},
        )
        o["message_recu"] = MessageRecu(
            organisme=tenant.organisme,
            etablissement=tenant.ehpad,
            boite=o["boite_mssante"],
            uid_validity=1,
            uid=MessageRecu.objects.filter(boite=o["boite_mssante"]).count() + 1,
            expediteur="cr@chu.mssante.fr",
            sujet=f"Compte rendu {t}",
            recu_le=timezone.now(),
            texte=f"Message {t}",
            pieces=[{"nom": "cr.pdf", "type": "application/pdf", "taille": 20}],
            usager_propose=usager,
        )
        brut = (
            f"From: cr@chu.mssante.fr\r\nSubject: Compte rendu {t}\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n'
            f"Message {t}\r\n--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; "
            f'filename="cr.pdf"\r\n\r\n%PDF-1.4 {t}\r\n--b--\r\n'
        ).encode()
        o["message_recu"].brut.save("m.eml", ContentFile(brut), save=False)
        o["message_recu"].save()
    o.update(_objets_coordination(tenant, usager, t))
    return o


def _objets_coordination(tenant, usager, t: str) -> dict[str, Any]:
    from annuaire.models import Partenaire
    from coordination import services as coordination
    from coordination.forms import instant
    from coordination.models import Evenement, JetonAgenda, Participation, Ressource

    jour = timezone.localdate()
    o: dict[str, Any] = {}
    with tenant_context(tenant.organisme.pk):
        # a second set of objects in the same organisme books its nurse's visit half an hour later
        deja = Evenement.objects.filter(organisme=tenant.organisme, genre="visite").count()
        visite = datetime.datetime.combine(jour, datetime.time(0)) + datetime.timedelta(minutes=30 * deja)
        o["partenaire"] = Partenaire.objects.create(
            organisme=tenant.organisme, genre="medecin", nom=f"Dr Balayage {t}"
        )
        o["ressource"] = Ressource.objects.create(
            organisme=tenant.organisme, etablissement=tenant.ehpad, genre="vehicule", nom=f"Minibus {t}"
        )
        o["evenement"] = coordination.do_planifier(
            tenant["infirmier"],
            tenant.ehpad,
            genre="rdv_externe",
            usager=usager,
            titre=f"Consultation {t}",
            partenaire=o["partenaire"],
            debut=instant(jour, datetime.time(6)),
            fin=instant(jour, datetime.time(7)),
            transport={
                "mode": "vehicule",
                "vehicule": o["ressource"],
                "depart": instant(jour, datetime.time(5)),
                "retour": instant(jour, datetime.time(8)),
            },
        )
        o["visite"] = coordination.do_planifier(
            tenant["infirmier"],
            tenant.ehpad,
            genre="visite",
            usager=usager,
            titre=f"Toilette {t}",
            professionnels=[tenant["infirmier"]],
            debut=instant(jour, visite.time()),
            fin=instant(jour, (visite + datetime.timedelta(minutes=30)).time()),
        )
        activite = coordination.do_planifier(
            tenant["educateur"],
            tenant.ehpad,
            genre="activite",
            titre=f"Atelier {t}",
            participants=[usager],
            debut=instant(jour, datetime.time(1)),
            fin=instant(jour, datetime.time(2)),
        )
        o["participation"] = Participation.objects.get(evenement=activite)
        o["collegue"] = tenant["aide_soignant"]
        o["jeton"], _ = coordination.do_creer_jeton(tenant["infirmier"], f"Téléphone {t}")
        o["feuille"] = coordination.demander_feuille_transports(
            tenant.ehpad,
            jour + datetime.timedelta(days=7 + deja),  # not today's: the sweeps ask for that one
        )
        coordination.enregistrer_feuille(o["feuille"], b"%PDF-1.4 " + t.encode(), 1)
        assert isinstance(o["jeton"], JetonAgenda)
    return o


def _documents_deposes(tenant, usager, t: str) -> dict[str, Any]:
    """The classification plan, a filed letter with its preview, and a document the DPO is asked to
    destroy (issue 18)."""
    from documents import services as documents
    from documents.models import ClasseDocument, Document
    from usagers.models import Sejour

    with tenant_context(tenant.organisme.pk):
        documents.do_installer_plan_type(tenant.admin)
        classe = ClasseDocument.objects.get(code="courrier-administratif")
        sejour = Sejour.objects.get(usager=usager)
        pdf = _pdf(f"Courrier {t}")
        depose, a_detruire = (
            documents.do_deposer(
                tenant["agent_administratif"],
                usager=usager,
                sejour=sejour,
                classe=classe,
                fichiers=[ContentFile(pdf, name=f"courrier-{i}.pdf")],
                titre=f"Courrier {t}",
                source_libre=f"Émetteur {t}",
            )[0]
            for i in (1, 2)
        )
        depose.apercu.save(f"documents/{depose.public_id}-a.png", ContentFile(_png()), save=False)
        depose.vignette.save(f"documents/{depose.public_id}-v.png", ContentFile(_png()), save=False)
        depose.texte = f"Texte {t}"
        depose.save()
        Document.objects.filter(pk=a_detruire.pk).update(destruction_proposee_le=timezone.localdate())
    return {"document_depose": depose, "document_a_detruire": a_detruire, "classe_document": classe}


def _relation(tenant, usager, document, t: str) -> dict[str, Any]:
    """The space of the person and relatives (issue 19): a daughter's account and access, her thread with a
    message and its attachment, a shared letter."""
    from django.contrib.auth.hashers import make_password

    from relation.models import AccesPortail, CompteProche, Fil, Message, PartageDocument, PieceJointe
    from usagers.models import Proche

    org = tenant.organisme
    with tenant_context(org.pk):
        proche = Proche.objects.create(
            organisme=org, usager=usager, nom=f"Fille{t}", prenom="Claire", lien="enfant"
        )
        compte = CompteProche.objects.create(
            organisme=org,
            email=f"claire.{uuid.uuid4().hex[:12]}@proches.test",
            prenom="Claire",
            nom=f"Fille{t}",
            password=make_password("Un-mot-de-passe-solide-42"),
            second_facteur="courriel",
        )
        acces = AccesPortail.objects.create(
            organisme=org,
            usager=usager,
            etablissement=tenant.ehpad,
            proche=proche,
            compte=compte,
            qualite="proche",
            statut="actif",
            accord_personne_le=timezone.localdate(),
            accorde_par=tenant["educateur"],
        )
        fil = Fil.objects.create(
            organisme=org,
            acces=acces,
            usager=usager,
            etablissement=tenant.ehpad,
            objet=f"Visite {t}",
            non_lus_equipe=1,
        )
        message = Message.objects.create(organisme=org, fil=fil, auteur_compte=compte, texte=f"Bonjour {t}")
        piece = PieceJointe(
            organisme=org, message=message, nom="photo.pdf", type_mime="application/pdf", taille=10
        )
        piece.fichier.save("photo.pdf", ContentFile(_pdf(f"Pièce {t}")), save=False)
        piece.save()
        partage = PartageDocument.objects.create(
            organisme=org, usager=usager, document=document, partage_par=tenant["agent_administratif"]
        )
        from relation.models import EvenementIndesirable, Reclamation

        reclamation = Reclamation.objects.create(
            organisme=org, etablissement=tenant.ehpad, usager=usager, canal="telephone", auteur=f"M. Plainte{t}",
            recue_le=timezone.localdate(), objet=f"Repas froids {t}", description=f"Les repas arrivent froids {t}",
            statut="repondue", reponse=f"Nous avons changé les chariots {t}", repondue_le=timezone.localdate(),
            repondue_par=tenant["directeur"], accuse_le=timezone.localdate(),
        )  # fmt: skip
        evenement = EvenementIndesirable.objects.create(
            organisme=org, etablissement=tenant.ehpad, usager=usager, declarant=tenant["aide_soignant"],
            survenu_le=timezone.now(), lieu=f"Chambre {t}", type_evenement="chute", description=f"Chute {t}",
            actions_immediates=f"Relevée {t}", statut="en_analyse", gravite=4, causes=f"Sol mouillé {t}", eigs=True,
        )  # fmt: skip
        from relation.models import MembreCVS, ReunionCVS

        MembreCVS.objects.create(
            organisme=org, etablissement=tenant.ehpad, college="familles", nom=f"Mme Représentante{t}",
            debut_mandat=timezone.localdate() - datetime.timedelta(days=30),
            fin_mandat=timezone.localdate() + datetime.timedelta(days=700),
        )  # fmt: skip
        reunion_cvs = ReunionCVS.objects.create(
            organisme=org, etablissement=tenant.ehpad, date=timezone.now() - datetime.timedelta(hours=2),
            ordre_du_jour=f"Menus {t}",
        )  # fmt: skip
        from relation.models import Campagne, QuestionEnquete, Questionnaire

        questionnaire = Questionnaire.objects.create(
            organisme=org, etablissement=tenant.ehpad, titre=f"Satisfaction {t}", cree_par=tenant["directeur"]
        )
        QuestionEnquete.objects.create(
            organisme=org,
            questionnaire=questionnaire,
            ordre=1,
            libelle=f"Les repas {t}",
            type_question="echelle",
        )
        campagne = Campagne.objects.create(
            organisme=org, questionnaire=questionnaire, etablissement=tenant.ehpad, titre=f"Enquête {t}",
            debut=timezone.localdate(), fin=timezone.localdate() + datetime.timedelta(days=30),
        )  # fmt: skip
    return {
        "campagne": campagne,
        "reunion_cvs": reunion_cvs,
        "reclamation": reclamation,
        "evenement_indesirable": evenement,
        "compte_portail": compte,
        "acces_portail": acces,
        "fil": fil,
        "message": message,
        "piece_portail": piece,
        "partage": partage,
    }


def _export_liste(tenant):
    """The waiting list exported by the admission agent, produced by the worker."""
    from dui import listes

    with tenant_context(tenant.organisme.pk):
        export = listes.demander(tenant["agent_administratif"], "liste_attente", {})
    listes.produire(str(export.public_id), tenant["agent_administratif"])
    with tenant_context(tenant.organisme.pk):
        export.refresh_from_db()
    assert export.statut == "termine", export.erreur
    return export


def _rapport(tenant):
    """Last year's activity report of the EHPAD, asked by the director and produced by the worker."""
    from pilotage import services as pilotage

    with tenant_context(tenant.organisme.pk):
        rapport = pilotage.do_demander_rapport(
            tenant["directeur"], tenant.ehpad, timezone.localdate().year - 1
        )
    pilotage.produire_rapport(str(rapport.public_id), tenant["directeur"])
    with tenant_context(tenant.organisme.pk):
        rapport.refresh_from_db()
    assert rapport.statut == "termine", rapport.erreur
    return rapport


def _export_presence(tenant):
    """Last month's presence record of the EHPAD, asked by the agent and produced by the worker."""
    from administratif import services as administratif

    with tenant_context(tenant.organisme.pk):
        mois = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
        export = administratif.do_demander_export(tenant["agent_administratif"], tenant.ehpad, mois)
    administratif.produire_export(str(export.public_id), tenant["agent_administratif"])
    with tenant_context(tenant.organisme.pk):
        export.refresh_from_db()
    assert export.statut == "termine", export.erreur
    return export


def _droits(tenant, usager, t: str) -> dict[str, Any]:
    """An APA of the person, and an admission request that brought it with a CDAPH decision."""
    from administratif import services as administratif
    from admission.models import DemandeAdmission

    with tenant_context(tenant.organisme.pk):
        droit = administratif.do_enregistrer_droit(
            tenant["agent_administratif"], usager, tenant.ehpad, type_droit="apa", debut=datetime.date(2026, 1, 1),
            gir=2, commentaire=f"APA {t}",
        )  # fmt: skip
        demande = DemandeAdmission.objects.create(
            organisme=tenant.organisme, etablissement=tenant.ehpad, usager=usager, nom_naissance=f"Balayage{t}",
            prenoms_naissance=["Rose"], date_naissance=datetime.date(1950, 1, 1), sexe="F", origine="cdaph",
            cdaph_numero_decision=f"CDAPH-{t}", orientation="EHPAD", mode_accueil="permanent",
            date_reception=datetime.date(2025, 7, 1), statut="admise",
        )  # fmt: skip
        modele = administratif.do_enregistrer_modele(
            tenant.admin, nom=f"Contrat {t}", genre="contrat", corps="Contrat de {{ nom }} " + t, actif=True
        )
        sejour = usager.sejours.get()
        contrat = administratif.do_etablir_contrat(tenant["agent_administratif"], sejour, modele)
    return {
        "droit": droit,
        "demande_cdaph": demande,
        "modele_contrat": modele,
        "contrat": contrat,
        "sejour": sejour,
    }


def _pdf(texte: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=f"<p>{texte}</p>").write_pdf()


# --- The sweeps -------------------------------------------------------------------------------------------


def routes_non_couvertes(noms: Iterable[tuple[str, set[str]]]) -> list[str]:
    """Named routes with a parameter and no entry in ROUTES."""
    return sorted(
        nom
        for nom, parametres in noms
        if parametres and nom not in ROUTES and nom not in SANS_SESSION and nom not in PORTAIL
    )


def balayer_isolation(
    routes: dict[str, Route],
    objets_a: dict[str, Any],
    client_proprietaire: Callable[[str], Client],
    clients_b: list[Client],
    donnees: dict[str, Any],
) -> tuple[list[str], int]:
    """A's owner gets past the lookup on every route (positive control), then every client of B gets 404
    (405 for a GET on a POST-only route). Returns (problems, routes exercised past the lookup)."""
    problemes, atteintes = [], 0
    for nom, route in routes.items():
        adresse = url_de_route(route, nom, objets_a)
        proprietaire = client_proprietaire(route.proprietaire)
        reponse = (
            proprietaire.post(adresse, dict(route.controle))
            if route.post_seulement
            else proprietaire.get(adresse)
        )
        if reponse.status_code == 404:
            problemes.append(f"{nom} : le propriétaire ({route.proprietaire}) reçoit 404 — contrôle positif")
            continue
        atteintes += 1
        for client in clients_b:
            get, post = client.get(adresse).status_code, client.post(adresse, donnees).status_code
            if get not in ((404, 405) if route.post_seulement else (404,)) or post != 404:
                problemes.append(f"{nom} : l'autre organisme reçoit GET {get}, POST {post}")
    return problemes, atteintes


def balayer_saisies(
    routes: dict[str, Route],
    objets_a: dict[str, Any],
    client_proprietaire: Callable[[str], Client],
    jeux: list[dict[str, Any]],
) -> tuple[list[str], int]:
    """Junk sent by each route's owner: never a 500, and at least one request of each route gets past the
    lookup (the junk reaches a form, not only the 404 path). Returns (problems, routes reached)."""
    problemes, atteintes = [], 0
    for nom, route in routes.items():
        adresse = url_de_route(route, nom, objets_a)
        client = client_proprietaire(route.proprietaire)
        passee = False
        for donnees in jeux:
            for reponse in (client.get(adresse, donnees), client.post(adresse, donnees)):
                if reponse.status_code >= 500:
                    problemes.append(f"{nom} : {reponse.status_code} pour {sorted(donnees)}")
                passee = passee or reponse.status_code != 404
        if passee:
            atteintes += 1
        else:
            problemes.append(f"{nom} : aucune requête n'a passé la recherche de l'objet (404 partout)")
    return problemes, atteintes


def planter_canari(organisme_id: int, canari: str) -> int:
    """Put ``canari`` at the start of every free-text field (no choices, not unique, long enough) of every
    row of the organisme, in every tenant table. Returns how many columns were marked."""
    from django.apps import apps
    from django.db import DatabaseError, models, transaction
    from django.db.models import Value
    from django.db.models.functions import Concat, Left

    colonnes = 0
    with tenant_context(organisme_id):
        for modele in apps.get_models():  # history models included: they carry organisme too
            if not any(f.attname == "organisme_id" for f in modele._meta.concrete_fields):
                continue
            uniques = {n for contrainte in modele._meta.unique_together for n in contrainte}
            champs = [
                f
                for f in modele._meta.concrete_fields
                if isinstance(f, models.CharField | models.TextField)
                and not isinstance(f, models.EmailField | models.SlugField | models.URLField)
                and not f.choices
                and not f.unique
                and f.name not in uniques
                and (f.max_length or 1000) >= len(canari) + 4
                and f.name
                not in ("password", "fichier", "photo", "secret", "empreinte")  # credentials stay usable
            ]
            if not champs:
                continue
            valeurs = {
                f.name: Left(Concat(Value(canari + " "), f.name, output_field=f), f.max_length or 100_000)
                for f in champs
            }
            try:
                with transaction.atomic():
                    modele._default_manager.filter(organisme_id=organisme_id).update(**valeurs)
            except DatabaseError:  # an append-only journal refuses any UPDATE: its rows keep their text
                continue
            colonnes += len(champs)
    return colonnes


# --- Who may pass each route, inside one organisme -----------------------------------------------------
# For each route: the alternatives that open it, each a set of actions all required on the objects (which are
# in the EHPAD); or "admin" (organisme administrator), "dpo", "habilite" (any active habilitation). Written from
# each view's lookup (a POST-only route: the lookup before the form is read); the intra-organisme sweep checks
# every role against it.


def _g(*alternatives: str) -> list[set[str]]:
    return [set(a.split("+")) for a in alternatives]


GARDES: dict[str, Any] = {
    "etablissement": _g("administratif.voir"),
    "journal_export_fichier": "dpo",  # the DPO who asked for it
    # an export of a list is its requester's only
    "export_liste_statut": lambda qui, actions: qui == "agent_administratif",
    "export_liste_fichier": lambda qui, actions: qui == "agent_administratif",
    "rgpd:telecharger": "dpo",  # the DPO who asked for it (once)
    "rgpd:anonymiser": "dpo",
    "habilitations:bris_de_glace": "habilite",
    "habilitations:revoir_bris_de_glace": "dpo",  # the access is in the MAS: no EHPAD director reviews it
    **{nom: "admin" for nom in ROUTES if nom.startswith("administration:")},
    "usagers:exception_retirer": "admin",
    "usagers:dossier": _g("administratif.voir"),
    "usagers:administratif": _g("administratif.voir"),
    "usagers:entourage": _g("administratif.voir"),
    "usagers:proche": _g("administratif.voir"),
    "usagers:consentements": _g("administratif.voir"),
    "usagers:presence": _g("administratif.voir"),
    "usagers:photo": _g("administratif.voir"),
    "usagers:changer_photo": _g("administratif.modifier"),
    "usagers:corriger_identite": _g("administratif.modifier"),
    "usagers:verifier_document": _g("administratif.modifier"),
    "usagers:demander_insi": _g("administratif.modifier"),
    "usagers:fusionner": _g("administratif.modifier"),
    "usagers:appel_insi": _g("administratif.voir"),
    "usagers:occupation": _g("pilotage.voir"),
    "admission:demande": _g("administratif.voir"),
    "admission:piece": _g("administratif.voir"),
    "documents:dossier": _g("documents.voir"),
    "documents:fichier": _g("documents.voir+soins.voir"),  # a DLU: category soins
    "documents:statut": _g("documents.voir+soins.voir"),
    "documents:deposer": _g("documents.modifier"),
    # a filed administrative letter: category administratif
    "documents:fiche": _g("documents.voir+administratif.voir"),
    "documents:apercu": _g("documents.voir+administratif.voir"),
    "documents:vignette": _g("documents.voir+administratif.voir"),
    "documents:classer": _g("documents.modifier+administratif.voir"),
    "documents:version": _g("documents.modifier+administratif.voir"),
    "documents:erreur": _g("documents.modifier+administratif.voir"),
    "documents:classe": "admin",
    "documents:detruire": "dpo",
    "relation:qualite": _g("pilotage.voir"),
    "pilotage:esms": _g("pilotage.voir"),
    "pilotage:coupes": _g("pilotage.voir"),
    "pilotage:rapports": _g("pilotage.voir"),
    # a report is its requester's only
    "pilotage:rapport_statut": lambda qui, actions: qui == "directeur",
    "pilotage:rapport_fichier": lambda qui, actions: qui == "directeur",
    "relation:cvs": _g("pilotage.voir"),
    "relation:enquetes": _g("pilotage.voir"),
    "relation:campagne": _g("pilotage.voir", "social.modifier"),  # the team types the paper answers
    "relation:campagne_export": _g("pilotage.voir"),
    "relation:reunion_cvs": _g("pilotage.voir"),
    "relation:reunion_cvs_pdf": _g("pilotage.voir"),
    # any professional habilitated in the ESMS (the objects are in the EHPAD)
    "relation:reclamation_nouvelle": lambda qui, actions: qui not in ("admin", "dpo", "infirmiere de la MAS"),
    "relation:reclamation": _g("pilotage.voir"),
    "relation:reclamation_pdf": _g("pilotage.voir"),
    "relation:declarer": lambda qui, actions: qui not in ("admin", "dpo", "infirmiere de la MAS"),
    # the encadrement of the ESMS, and the professional who declared it (the aide-soignant here)
    "relation:evenement": lambda qui, actions: "pilotage.voir" in actions or qui == "aide_soignant",
    "relation:evenement_ars": _g("pilotage.voir"),
    "relation:dossier": _g("social.voir"),
    "relation:inviter": _g("social.modifier"),
    "relation:refus": _g("social.modifier"),
    "relation:partager": _g("documents.modifier"),
    "relation:acces": _g("social.modifier"),
    # a filed administrative letter: its category, and the documents' right to withdraw it
    "relation:retirer_partage": _g("documents.modifier+administratif.voir"),
    "relation:boite": _g("social.voir"),
    "relation:fil": _g("social.voir"),
    "relation:fil_action": _g("social.modifier"),
    "relation:classer": _g("social.modifier"),
    "relation:piece": _g("social.voir"),
    "administratif:presence": _g("administratif.modifier"),
    "administratif:droits": _g("administratif.voir"),
    "administratif:contrats": _g("administratif.voir"),
    **{
        f"administratif:contrat_{nom}": _g("administratif.modifier")
        for nom in ("etablir", "remettre", "signer", "copie", "refus")
    },
    "administratif:remises": _g("administratif.modifier"),
    "administratif:suivi_contrats": _g("pilotage.voir"),
    "administratif:modele": "admin",
    "administratif:droit_nouveau": _g("administratif.modifier"),
    "administratif:droit": _g("administratif.modifier"),
    "administratif:reprendre_orientation": _g("administratif.modifier"),
    # a month's record is its requester's only
    **{
        f"administratif:export_{f}": (lambda qui, actions: qui == "agent_administratif")
        for f in ("statut", "csv", "xlsx")
    },
    "accompagnement:projets": _g("social.voir"),
    "accompagnement:projet": _g("social.voir"),
    "accompagnement:evaluations": _g("social.voir", "soins.voir"),
    "accompagnement:aggir_nouvelle": _g("soins.modifier"),
    "accompagnement:aggir_apercu": _g("soins.modifier"),
    "accompagnement:aggir": _g("soins.voir"),
    "accompagnement:serafin_nouvelle": _g("social.modifier"),
    "accompagnement:serafin": _g("social.voir"),
    # the form to evaluate: the grid's category (social) in modification, in the grid's ESMS
    "accompagnement:evaluer_grille": _g("social.modifier"),
    "accompagnement:evaluation_grille": _g("social.voir"),
    "accompagnement:grille": _g("pilotage.modifier"),
    "accompagnement:journal": _g("social.voir"),
    "accompagnement:bilans": _g("pilotage.voir"),
    "accompagnement:gmp": _g("pilotage.voir"),
    "soins:dossier": _g("soins.voir"),
    "soins:constantes": _g("soins.voir"),
    "soins:transmissions": _g("soins.voir"),
    "soins:transmission_rapide": _g("soins.modifier"),
    "soins:plan": _g("soins.voir"),
    "soins:valider": _g("soins.modifier"),
    "soins:corriger": _g("soins.modifier"),
    "soins:releve": _g("soins.voir"),
    "soins:lu": _g("soins.voir"),
    "soins:journee": _g("soins.voir"),
    "soins:tour": _g("soins.modifier"),
    "medicaments:dossier": _g("medicaments.voir"),
    "medicaments:pilulier": _g("medicaments.voir"),
    "medicaments:modifier": _g("medicaments.modifier+medical.modifier"),  # prescribers only
    "medicaments:si_besoin": _g("medicaments.modifier"),
    "medicaments:administrer": _g("medicaments.modifier"),
    "medicaments:corriger": _g("medicaments.modifier+soins.modifier"),  # who gives the doses
    "medicaments:reevaluer": _g("medicaments.modifier+soins.modifier"),
    "medicaments:tournee": _g("medicaments.voir"),
    "medicaments:piluliers": _g("medicaments.voir"),
    # the directory is organisme-wide: every professional with the agenda somewhere reads it
    "annuaire:partenaire": lambda qui, actions: qui not in ("admin", "dpo", "pharmacien"),
    "coordination:dossier": _g("coordination.voir"),
    "coordination:nouveau_rdv": _g("coordination.modifier"),
    "coordination:evenement": _g("coordination.voir"),
    "coordination:visite": _g("coordination.modifier"),
    "coordination:presence": _g("coordination.modifier"),
    "coordination:unite": _g("coordination.voir"),
    "coordination:ressource": _g("coordination.voir"),
    "coordination:etablissement": _g("coordination.voir"),
    "coordination:nouvelle_activite": _g("coordination.modifier"),
    "coordination:revoquer": lambda qui, actions: qui == "infirmier",  # the token's own professional
    "coordination:demander_feuille": _g("coordination.voir"),
    "coordination:feuille": _g("coordination.voir"),
    "coordination:statistiques": _g("coordination.voir"),
    "coordination:agenda_professionnel": _g("coordination.voir"),
    "interop:document": _g("documents.modifier+soins.voir"),  # sending a DLU
    "interop:dossier": _g("documents.voir"),
    "interop:export_fhir": _g("documents.modifier+administratif.voir+social.voir"),  # what the bundle holds
    "interop:indicateurs": _g("pilotage.voir"),
    "interop:relancer": _g("documents.modifier"),
    "interop:annuler": _g("documents.modifier"),
    # the MSSanté inbox: health professionals who file documents (an unfiled message may hold medical data)
    "interop:message": _g("documents.modifier+medical.voir"),
    "interop:message_ecarter": _g("documents.modifier+medical.voir"),
    "interop:message_piece": _g("documents.modifier+medical.voir"),
    "interop:boite_mssante": "admin",
}


def autorise(garde: Any, qui: str, actions: set[str]) -> bool:
    if callable(garde):
        return bool(garde(qui, actions))
    if garde in ("admin", "dpo"):
        return qui == garde
    if garde == "habilite":
        return qui not in ("admin", "dpo")
    return any(alternative <= actions for alternative in garde)


def balayer_habilitations(
    routes: dict[str, Route],
    gardes: dict[str, Any],
    objets_a: dict[str, Any],
    clients: dict[str, tuple[Client, set[str]]],
) -> tuple[list[str], int]:
    """Every route × every professional of the organisme: refused (403/404) exactly where the declared
    rights say so. ``clients``: {who: (client, actions in the EHPAD)}. Returns (problems, pairs checked)."""
    problemes, paires = [], 0
    for nom, route in routes.items():
        adresse = url_de_route(route, nom, objets_a)
        for qui, (client, actions) in clients.items():
            reponse = (
                client.post(adresse, dict(route.controle)) if route.post_seulement else client.get(adresse)
            )
            refuse = reponse.status_code in (403, 404)
            attendu = autorise(gardes[nom], qui, actions)
            if reponse.status_code >= 500 or refuse == attendu:
                problemes.append(
                    f"{nom} : {qui} reçoit {reponse.status_code}, attendu {'accès' if attendu else 'refus'}"
                )
            paires += 1
    return problemes, paires


def balayer_fuites(
    pages: list[tuple[str, str | None]],
    clients: dict[str, tuple[Client, set[str]]],
    canari: str,
) -> tuple[list[str], int]:
    """Every page × every client: the canary never shows, no 5xx, and a page of a route with a declared
    right (``nom``) answers "refused" (403/404) exactly where the client's rights say. ``pages``: (URL,
    route name or None). Returns (problems, 200 answers)."""
    problemes, ouvertes = [], 0
    for qui, (client, actions) in clients.items():
        for adresse, nom in pages:
            reponse = client.get(adresse)
            corps = b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
            if canari.encode() in corps:
                problemes.append(f"{adresse} : le canari apparaît pour {qui}")
            if reponse.status_code >= 500:
                problemes.append(f"{adresse} : {reponse.status_code} pour {qui}")
            elif nom is not None and not ROUTES[nom].post_seulement:
                attendu = autorise(GARDES[nom], qui, actions)
                if (reponse.status_code in (403, 404)) == attendu:
                    problemes.append(f"{adresse} : {qui} reçoit {reponse.status_code}")
            ouvertes += reponse.status_code == 200
    return problemes, ouvertes
