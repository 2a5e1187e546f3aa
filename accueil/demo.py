"""Demo data: a realistic organisme gestionnaire (an association with an EHPAD, a MAS and a SESSAD),
a professional for each role, a second organisme, and a platform administrator.

Demo accounts share one password and one TOTP secret so that a tester can log in; ``manage.py
code_demo`` prints the current code. Refused when ``DUI_ENV=production``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dui.chiffrement import chiffrer
from dui.history import update_with_history
from dui.models import CategorieESMS, Etablissement, OrganismeGestionnaire, Unite
from dui.tenancy import auth_lookup, tenant_context
from habilitations.models import DispositifTOTP, Habilitation, Profession, Professionnel
from habilitations.roles import Role

DEMO_PASSWORD = "Demo-DUI-2026!"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # demo only, published in the README

OG_A: dict[str, Any] = {
    "raison_sociale": "Association Les Tilleuls",
    "finess_juridique": "750000010",
    "siren": "775000010",
    "etablissements": [
        (
            "EHPAD Les Tilleuls",
            "750010012",
            CategorieESMS.EHPAD,
            84,
            ["Pavillon Cèdre", "Pavillon Érable", "Unité protégée"],
        ),
        ("MAS Les Peupliers", "750010020", CategorieESMS.MAS, 40, ["Groupe Soleil", "Groupe Lune"]),
        ("SESSAD Arc-en-ciel", "750010038", CategorieESMS.SESSAD, 35, ["Équipe Nord", "Équipe Sud"]),
    ],
    "domaine": "tilleuls.demo",
}
OG_B: dict[str, Any] = {
    "raison_sociale": "Fondation Horizon",
    "finess_juridique": "690000020",
    "siren": "779000020",
    "etablissements": [("EHPAD Horizon", "690010015", CategorieESMS.EHPAD, 60, ["Rez-de-jardin", "Étage"])],
    "domaine": "horizon.demo",
    "usagers": [("Lefevre", ["Helene"], "F", datetime.date(1938, 4, 12), "75056", "", 0, 0, "5")],
}

# (email local part, prénom, nom, profession, rpps, [(établissement index, rôle)], admin, dpo)
PROFESSIONNELS_A = [
    (
        "direction",
        "Claire",
        "Martin",
        Profession.DIRECTEUR,
        "",
        [(0, Role.DIRECTEUR), (1, Role.DIRECTEUR), (2, Role.DIRECTEUR)],
        False,
        False,
    ),
    ("admin", "Paul", "Bernard", Profession.ADMINISTRATIF, "", [], True, False),
    ("dpo", "Inès", "Lefèvre", Profession.ADMINISTRATIF, "", [], False, True),
    (
        "medecin",
        "Jean",
        "Dubois",
        Profession.MEDECIN,
        "10101010101",
        [(0, Role.MEDECIN_COORDONNATEUR), (1, Role.MEDECIN)],
        False,
        False,
    ),
    (
        "infirmiere",
        "Sophie",
        "Moreau",
        Profession.INFIRMIER,
        "10202020202",
        [(0, Role.INFIRMIER)],
        False,
        False,
    ),
    (
        "aide-soignant",
        "Karim",
        "Benali",
        Profession.AIDE_SOIGNANT,
        "",
        [(0, Role.AIDE_SOIGNANT)],
        False,
        False,
    ),
    (
        "educatrice",
        "Léa",
        "Petit",
        Profession.EDUCATEUR_SPECIALISE,
        "",
        [(1, Role.EDUCATEUR), (2, Role.EDUCATEUR)],
        False,
        False,
    ),
    ("psychologue", "Marc", "Roux", Profession.PSYCHOLOGUE, "", [(2, Role.PSYCHOLOGUE)], False, False),
    ("chef-service", "Nadia", "Garcia", Profession.CHEF_SERVICE, "", [(1, Role.CHEF_SERVICE)], False, False),
    (
        "assistante-sociale",
        "Julie",
        "Fournier",
        Profession.ASSISTANT_SOCIAL,
        "",
        [(0, Role.TRAVAILLEUR_SOCIAL)],
        False,
        False,
    ),
    (
        "admission",
        "Thomas",
        "Girard",
        Profession.ADMINISTRATIF,
        "",
        [(0, Role.AGENT_ADMINISTRATIF), (1, Role.AGENT_ADMINISTRATIF)],
        False,
        False,
    ),
    (
        "pharmacien",
        "Hugo",
        "Lambert",
        Profession.PHARMACIEN,
        "10303030303",
        [(0, Role.PHARMACIEN)],
        False,
        False,
    ),
]
PROFESSIONNELS_B = [
    ("admin", "Élise", "Marchand", Profession.ADMINISTRATIF, "", [], True, True),
    ("infirmier", "Yanis", "Faure", Profession.INFIRMIER, "10404040404", [(0, Role.INFIRMIER)], False, False),
    # the Tilleuls' doctor also works here (same RPPS): a Pro Santé Connect login offers the choice of organisme
    ("medecin", "Jean", "Dubois", Profession.MEDECIN, "10101010101", [(0, Role.MEDECIN)], False, False),
]


def _creer_compte(organisme, email, prenom, nom, profession, rpps, admin, dpo, plateforme=False):
    pro = Professionnel(
        organisme=organisme,
        email=email,
        prenom=prenom,
        nom=nom,
        profession=profession,
        rpps=rpps,
        est_admin_organisme=admin,
        est_dpo=dpo,
        est_admin_plateforme=plateforme,
    )
    pro.set_password(DEMO_PASSWORD)
    pro.save()
    DispositifTOTP.objects.create(
        organisme=organisme, professionnel=pro, secret=chiffrer(DEMO_TOTP_SECRET), confirme=True
    )
    return pro


def _construire(spec: dict, professionnels: list) -> OrganismeGestionnaire:
    organisme = OrganismeGestionnaire.objects.create(
        raison_sociale=spec["raison_sociale"], finess_juridique=spec["finess_juridique"], siren=spec["siren"]
    )
    with tenant_context(organisme.pk), auth_lookup():
        etabs = []
        for nom, finess, categorie, capacite, unites in spec["etablissements"]:
            etab = Etablissement.objects.create(
                organisme=organisme,
                nom=nom,
                finess_geographique=finess,
                categorie=categorie,
                capacite=capacite,
            )
            for unite in unites:
                Unite.objects.create(organisme=organisme, etablissement=etab, nom=unite)
            etabs.append(etab)
        debut = timezone.localdate() - datetime.timedelta(days=365)
        comptes = []
        for local, prenom, nom, profession, rpps, habs, admin, dpo in professionnels:
            pro = _creer_compte(
                organisme, f"{local}@{spec['domaine']}", prenom, nom, profession, rpps, admin, dpo
            )
            comptes.append(pro)
            for index, role in habs:
                Habilitation.objects.create(
                    organisme=organisme, professionnel=pro, etablissement=etabs[index], role=role, debut=debut
                )
        _usagers(organisme, etabs, comptes[0], spec.get("usagers", []))
        if spec is OG_A:
            _demandes(organisme, etabs)
            pros = {c.email.split("@")[0]: c for c in comptes}
            _accompagnement(organisme, etabs, pros)
            from soins import demo as soins_demo
            from usagers.models import Usager

            usagers = {u.nom_naissance: u for u in Usager.objects.filter(organisme=organisme)}
            soins_demo.construire(organisme, etabs[0], usagers, pros)
            from medicaments import demo as medicaments_demo

            medicaments_demo.construire(organisme, etabs[0], usagers, pros)
            from interop import demo as interop_demo

            interop_demo.construire(organisme, etabs[0], usagers, pros)
            from coordination import demo as coordination_demo

            coordination_demo.construire(organisme, etabs, usagers, pros)
            from documents import demo as documents_demo

            documents_demo.construire(organisme, usagers, pros)
            from administratif import demo as administratif_demo

            administratif_demo.construire(organisme, etabs, pros, usagers)
            from relation import demo as relation_demo

            relation_demo.construire(organisme, etabs, pros, usagers, DEMO_PASSWORD)
            relation_demo.construire_qualite(etabs, pros, usagers)
            relation_demo.construire_vie_sociale(etabs, pros)
            from pilotage import demo as pilotage_demo

            pilotage_demo.construire(etabs, pros)
    return organisme


# (nom de naissance, prénoms, sexe, naissance, lieu INSEE, nom d'usage, établissement index, unité index, chambre)
USAGERS_A = [
    ("Lefèvre", ["Hélène", "Marie"], "F", datetime.date(1938, 4, 12), "75056", "Dupont", 0, 0, "12"),
    ("Moreau", ["Jean", "Pierre"], "M", datetime.date(1941, 11, 3), "69123", "", 0, 0, "14"),
    ("Garnier", ["Yvonne"], "F", datetime.date(1935, 2, 27), "13055", "Rolland", 0, 1, "3"),
    ("Bonnet", ["Marcel", "André"], "M", datetime.date(1944, 7, 8), "2A004", "", 0, 2, "21"),
    ("Chevalier", ["Suzanne", "Louise"], "F", datetime.date(1939, 9, 19), "33063", "Martin", 0, 2, "22"),
    ("N'Diaye", ["Aminata"], "F", datetime.date(1990, 5, 2), "99341", "", 1, 0, "Soleil 4"),
    ("Perrin", ["Thomas", "Louis"], "M", datetime.date(1987, 1, 23), "59350", "", 1, 1, "Lune 2"),
    ("Da Silva", ["Lucas"], "M", datetime.date(2014, 6, 30), "75056", "", 2, 0, ""),
    ("Roux-Mercier", ["Inès", "Camille"], "F", datetime.date(2016, 3, 14), "31555", "", 2, 1, ""),
]


OG_A["usagers"] = USAGERS_A


def _usagers(organisme, etabs, auteur, specs):
    from usagers.models import MoyenTransition, Sejour, TransitionIdentite, Usager

    for nom, prenoms, sexe, naissance, insee, usage, etab_i, unite_i, chambre in specs:
        etab = etabs[etab_i]
        usager = Usager.objects.create(
            organisme=organisme,
            nom_naissance=nom,
            prenoms_naissance=prenoms,
            premier_prenom=prenoms[0],
            date_naissance=naissance,
            sexe=sexe,
            lieu_naissance_insee=insee,
            nom_usage=usage,
        )
        unites = list(etab.unites.order_by("nom"))
        Sejour.objects.create(
            organisme=organisme,
            usager=usager,
            etablissement=etab,
            unite=unites[unite_i] if unites else None,
            chambre=chambre,
            mode_accueil="milieu_ordinaire" if etab.categorie == "SESSAD" else "permanent",
            date_entree=timezone.localdate() - datetime.timedelta(days=400 + 37 * len(nom)),
        )
        TransitionIdentite.objects.create(
            organisme=organisme,
            usager=usager,
            de="",
            vers="PROV",
            moyen=MoyenTransition.CREATION,
            auteur=auteur,
        )
        if nom == "Lefèvre":
            _dossier_exemple(organisme, usager)


def _dossier_exemple(organisme, usager):
    """A fuller dossier for the demo: entourage, protection, an absence."""
    from usagers.models import Absence, DossierAdministratif, MesureProtection, Proche

    DossierAdministratif.objects.create(
        organisme=organisme,
        usager=usager,
        adresse="12 rue des Tilleuls",
        code_postal="69003",
        commune="Lyon",
        regime="general",
        caisse="CPAM du Rhône",
        exoneration="ald",
        amc="Mutuelle des Aînés",
        directives_anticipees="oui",
        directives_lieu="Classeur de soins, infirmerie",
    )
    Proche.objects.create(
        organisme=organisme,
        usager=usager,
        nom="Dupont",
        prenom="Claire",
        lien="enfant",
        telephone="06 12 34 56 78",
        personne_confiance=True,
        confiance_designee_le=datetime.date(2024, 5, 2),
        a_prevenir=True,
        ordre_appel=1,
    )
    Proche.objects.create(
        organisme=organisme,
        usager=usager,
        nom="Dupont",
        prenom="Marc",
        lien="petit_enfant",
        telephone="06 98 76 54 32",
        a_prevenir=True,
        ordre_appel=2,
        aidant=True,
    )
    MesureProtection.objects.create(
        organisme=organisme,
        usager=usager,
        type_mesure="curatelle_renforcee",
        mandataire="UDAF du Rhône",
        mandataire_telephone="04 72 00 00 00",
        tribunal="Tribunal judiciaire de Lyon",
        date_debut=datetime.date(2023, 9, 1),
        date_fin=datetime.date(2028, 8, 31),
    )
    sejour = usager.sejours.get()
    debut = timezone.localdate() - datetime.timedelta(days=40)
    Absence.objects.create(
        organisme=organisme,
        sejour=sejour,
        motif="hospitalisation",
        debut=debut,
        fin=debut + datetime.timedelta(days=6),
        commentaire="Fracture du poignet, HEH",
    )


def _demandes(organisme, etabs):
    from admission.models import DemandeAdmission

    aujourd_hui = timezone.localdate()
    DemandeAdmission.objects.create(
        organisme=organisme,
        etablissement=etabs[0],
        nom_naissance="Fabre",
        prenoms_naissance=["Odette"],
        date_naissance=datetime.date(1936, 8, 14),
        sexe="F",
        lieu_naissance_insee="34172",
        origine="viatrajectoire",
        reference_viatrajectoire="VT-2026-04512",
        orientation="EHPAD",
        mode_accueil="permanent",
        date_reception=aujourd_hui - datetime.timedelta(days=95),
        priorite=3,
        contact="Fils : 06 11 22 33 44",
    )
    DemandeAdmission.objects.create(
        organisme=organisme,
        etablissement=etabs[0],
        nom_naissance="Lambert",
        prenoms_naissance=["Roger"],
        date_naissance=datetime.date(1940, 3, 2),
        sexe="M",
        lieu_naissance_insee="69123",
        origine="directe",
        mode_accueil="temporaire",
        date_reception=aujourd_hui - datetime.timedelta(days=6),
        priorite=1,
        commentaire="Épuisement de l'aidante, retour d'hospitalisation prévu.",
    )
    DemandeAdmission.objects.create(
        organisme=organisme,
        etablissement=etabs[1],
        nom_naissance="Haddad",
        prenoms_naissance=["Samir"],
        date_naissance=datetime.date(1995, 12, 1),
        sexe="M",
        lieu_naissance_insee="13055",
        origine="cdaph",
        cdaph_numero_decision="CDAPH-69-2026-0815",
        cdaph_date_decision=aujourd_hui - datetime.timedelta(days=200),
        cdaph_fin_validite=aujourd_hui + datetime.timedelta(days=1600),
        orientation="MAS",
        mode_accueil="permanent",
        date_reception=aujourd_hui - datetime.timedelta(days=180),
        priorite=2,
    )


def _accompagnement(organisme, etabs, pros):
    """Projets personnalisés at every step, AGGIR histories (the EHPAD's GMP), a SERAFIN-PH evaluation,
    a configurable grid and journal entries."""
    from accompagnement import aggir
    from accompagnement.models import (
        Action,
        Attente,
        AvisValidation,
        Besoin,
        BesoinEvalue,
        CodeSerafin,
        EvaluationAggir,
        EvaluationSerafin,
        GrilleEvaluation,
        ItemGrille,
        Objectif,
        Observation,
        ProjetPersonnalise,
        Rappel,
    )
    from usagers.models import Usager

    jour = timezone.localdate()
    ehpad, mas = etabs[0], etabs[1]
    usagers = {u.nom_naissance: u for u in Usager.objects.filter(organisme=organisme)}
    j = datetime.timedelta

    def pp(usager, etab, version, statut, coordonnateur, valide_il_y_a=None, **extra):
        date_validation = jour - j(days=valide_il_y_a) if valide_il_y_a is not None else None
        return ProjetPersonnalise.objects.create(
            organisme=organisme,
            usager=usager,
            etablissement=etab,
            version=version,
            statut=statut,
            coordonnateur=coordonnateur,
            date_validation=date_validation,
            echeance_bilan=date_validation + j(days=365) if date_validation else None,
            **extra,
        )

    def contenu(projet, attentes, objectifs, avis=True):
        for source, texte, precision in attentes:
            Attente.objects.create(
                organisme=organisme,
                projet=projet,
                source=source,
                texte=texte,
                precision_source=precision,
                recueillie_le=(projet.date_validation or jour) - j(days=20),
            )
        for libelle, besoin, referent, action, frequence, resultat in objectifs:
            b = (
                Besoin.objects.create(organisme=organisme, projet=projet, categorie_libre=besoin, priorite=2)
                if isinstance(besoin, str)
                else Besoin.objects.create(
                    organisme=organisme, projet=projet, code_serafin=besoin, priorite=1
                )
            )
            o = Objectif.objects.create(
                organisme=organisme,
                projet=projet,
                besoin=b,
                libelle=libelle,
                referent=referent,
                echeance=(projet.date_validation or jour) + j(days=180),
                resultat=resultat,
                avis_usager="D'accord, si on commence doucement.",
            )
            Action.objects.create(
                organisme=organisme,
                objectif=o,
                libelle=action,
                intervenant=str(referent),
                frequence=frequence,
            )
        if avis and projet.date_validation:
            AvisValidation.objects.create(
                organisme=organisme,
                projet=projet,
                decision="accord",
                exprime_par="usager",
                modalite="signature",
                date_avis=projet.date_validation,
                recueilli_par=projet.coordonnateur,
            )

    # Hélène Lefèvre (EHPAD): v1 replaced after its bilan, v2 in progress.
    lefevre = usagers["Lefèvre"]
    v1 = pp(
        lefevre,
        ehpad,
        1,
        "remplace",
        pros["assistante-sociale"],
        390,
        date_bilan=jour - j(days=30),
        synthese_bilan="Marche améliorée ; l'atelier mémoire l'a lassée.",
        bilan_par=pros["assistante-sociale"],
        projet_de_vie="Rester à Lyon près de ma fille, continuer à jardiner.",
    )
    contenu(
        v1,
        [
            ("usager", "Je veux pouvoir descendre au jardin seule", ""),
            ("famille", "Qu'elle garde le contact avec ses amies de la paroisse", "sa fille Claire"),
        ],
        [
            (
                "Descendre au jardin avec un déambulateur",
                "Mobilité",
                pros["infirmiere"],
                "Marche accompagnée",
                "chaque jour",
                "partiel",
            ),
            (
                "Participer à l'atelier mémoire",
                "Cognition",
                pros["assistante-sociale"],
                "Atelier du mardi",
                "chaque semaine",
                "abandonne",
            ),
        ],
    )
    v2 = pp(
        lefevre,
        ehpad,
        2,
        "en_oeuvre",
        pros["assistante-sociale"],
        20,
        precedent=v1,
        projet_de_vie=v1.projet_de_vie,
    )
    contenu(
        v2,
        [("usager", "Aller au marché de la Croix-Rousse avec ma fille", "")],
        [
            (
                "Descendre au jardin avec un déambulateur",
                "Mobilité",
                pros["infirmiere"],
                "Marche accompagnée",
                "chaque jour",
                "",
            ),
            (
                "Aller au marché un samedi par mois",
                "Vie sociale",
                pros["assistante-sociale"],
                "Organisation du transport avec la famille",
                "un samedi par mois",
                "",
            ),
        ],
    )
    # Jean Moreau (EHPAD): bilan overdue — the chef de service's list and the coordonnateur's reminder.
    moreau = pp(usagers["Moreau"], ehpad, 1, "en_oeuvre", pros["assistante-sociale"], 380)
    contenu(
        moreau,
        [("usager", "Qu'on me laisse dormir le matin", "")],
        [
            (
                "Lever après 9 h sauf rendez-vous",
                "Rythme de vie",
                pros["aide-soignant"],
                "Adapter le plan de soins",
                "chaque jour",
                "",
            )
        ],
    )
    Rappel.objects.create(
        organisme=organisme,
        projet=moreau,
        destinataire=pros["assistante-sociale"],
        echeance=moreau.echeance_bilan,
        libelle=f"Bilan du projet personnalisé de {moreau.usager} à réaliser avant le "
        f"{moreau.echeance_bilan:%d/%m/%Y} (en retard)",
    )
    # Aminata N'Diaye (MAS): PP in co-construction with SERAFIN-PH needs, a refusal already recorded.
    ndiaye = usagers["N'Diaye"]
    codes = {c.code: c for c in CodeSerafin.objects.filter(actif=True, jeu__in=["J285", "J284"])}
    brouillon = pp(
        ndiaye,
        mas,
        1,
        "co_construction",
        pros["educatrice"],
        projet_de_vie="Vivre avec d'autres jeunes adultes, faire de la musique.",
    )
    Attente.objects.create(
        organisme=organisme,
        projet=brouillon,
        source="usager",
        texte="Faire de la musique avec les autres (exprimé avec le classeur de pictogrammes)",
    )
    Attente.objects.create(
        organisme=organisme,
        projet=brouillon,
        source="famille",
        precision_source="sa mère",
        texte="Qu'elle soit moins seule le week-end",
    )
    if codes:
        contenu(
            brouillon,
            [],
            [
                (
                    "Participer à l'atelier musique",
                    codes["1.2.1.2"],
                    pros["educatrice"],
                    "Atelier musique",
                    "deux fois par semaine",
                    "",
                )
            ],
            avis=False,
        )
        update_with_history(Action.objects.filter(objectif__projet=brouillon), prestation=codes["2.2.2"])
        serafin = EvaluationSerafin.objects.create(
            organisme=organisme,
            usager=ndiaye,
            etablissement=mas,
            date_evaluation=jour - j(days=15),
            evaluateur=pros["educatrice"],
        )
        for code, importance in (("1.2.1.2", 3), ("1.2.1.3", 2), ("1.1.2", 1)):
            BesoinEvalue.objects.create(
                organisme=organisme, evaluation=serafin, code=codes[code], importance=importance
            )
    AvisValidation.objects.create(
        organisme=organisme,
        projet=brouillon,
        decision="refus",
        exprime_par="usager",
        modalite="non_verbal",
        date_avis=jour - j(days=3),
        recueilli_par=pros["educatrice"],
        motif="A repoussé le classeur à l'évocation de l'internat le week-end.",
    )
    # AGGIR histories in the EHPAD: the GMP page has data over the year.
    profils = {
        "Lefèvre": ["A", "B", "B"],
        "Moreau": ["B", "B", "C"],
        "Garnier": ["C", "C", "C"],
        "Bonnet": ["A", "A", "B"],
        "Chevalier": ["B", "C", "C"],
    }
    for nom, niveaux in profils.items():
        for i, niveau in enumerate(niveaux):
            reponses = {
                item: (
                    "A"
                    if niveau == "A" or item.startswith(("coherence", "alerter", "deplacements_ext"))
                    else niveau
                )
                for item in aggir.items_ordonnes()
            }
            codes_v = aggir.codes_des_reponses(reponses)
            gir, rang = aggir.calcul_gir(codes_v)
            EvaluationAggir.objects.create(
                organisme=organisme,
                usager=usagers[nom],
                etablissement=ehpad,
                date_evaluation=jour - j(days=300 - 140 * i),
                evaluateur=pros["medecin"],
                mode="direct",
                reponses={"items": reponses, "codes": reponses},
                codes=codes_v,
                gir=gir,
                rang=rang,
            )
    # A grid of the EHPAD's own, and journal entries.
    grille = GrilleEvaluation.objects.create(
        organisme=organisme,
        etablissement=ehpad,
        nom="Risque de chute (grille interne)",
        categorie="soins",
        interpretation=[
            {"min": 3, "libelle": "Risque élevé"},
            {"min": 1, "libelle": "Risque modéré"},
            {"min": 0, "libelle": "Risque faible"},
        ],
    )
    for ordre, (libelle, type_item, options) in enumerate(
        [
            ("Chute dans les six derniers mois", "oui_non", []),
            (
                "Marche",
                "choix",
                [
                    {"libelle": "Seul(e)", "points": 0},
                    {"libelle": "Avec aide technique", "points": 1},
                    {"libelle": "Avec l'aide d'un tiers", "points": 2},
                ],
            ),
            ("Nombre de médicaments par jour", "nombre", []),
        ],
        start=1,
    ):
        ItemGrille.objects.create(
            organisme=organisme,
            grille=grille,
            ordre=ordre,
            libelle=libelle,
            type_item=type_item,
            options=options,
        )
    for usager, auteur, etab, categorie, texte, conf in [
        (
            lefevre,
            pros["assistante-sociale"],
            ehpad,
            "famille",
            "Visite de sa fille Claire ; projet de sortie au marché évoqué avec plaisir.",
            "equipe",
        ),
        (
            lefevre,
            pros["assistante-sociale"],
            ehpad,
            "social",
            "Dossier APA en cours de révision avec le Département.",
            "equipe",
        ),
        (
            ndiaye,
            pros["educatrice"],
            mas,
            "educatif",
            "Très investie à l'atelier musique : a tenu le rythme au djembé pendant vingt minutes.",
            "equipe",
        ),
        (
            ndiaye,
            pros["educatrice"],
            mas,
            "famille",
            "Échange avec la mère sur une situation familiale difficile (détails au chef de service).",
            "restreinte",
        ),
        (
            usagers["Perrin"],
            pros["chef-service"],
            mas,
            "vie_quotidienne",
            "Adaptation du repas du soir réussie ; plus calme au coucher.",
            "equipe",
        ),
    ]:
        Observation.objects.create(
            organisme=organisme,
            usager=usager,
            auteur=auteur,
            etablissement=etab,
            categorie=categorie,
            texte=texte,
            confidentialite=conf,
        )


@transaction.atomic
def construire_demo(stdout=None) -> bool:
    if settings.PRODUCTION:
        raise RuntimeError("Données de démonstration refusées en production.")
    if OrganismeGestionnaire.objects.filter(finess_juridique=OG_A["finess_juridique"]).exists():
        return False
    from medicaments import bdpm
    from medicaments.models import Specialite

    if not Specialite.objects.exists():  # the drug base (reference data, loaded by the owner role)
        bdpm.importer()
    with auth_lookup():
        _creer_compte(
            None, "plateforme@dui.demo", "Alex", "Admin", Profession.AUTRE, "", False, False, plateforme=True
        )
    _construire(OG_A, PROFESSIONNELS_A)
    _construire(OG_B, PROFESSIONNELS_B)
    return True
