"""Build a large organisme gestionnaire for benchmarks, quickly (set-based INSERT … SELECT).

    .venv/bin/python bench/generate.py [--etablissements 20] [--professionnels 3000] [--organismes 5]

COPY FROM is refused on tables under row-level security (unless superuser), so rows are generated
server-side with ``generate_series`` inside the tenant's transaction: the same wall as the app.
Part of a load's cost is the checks run row by row (Django's foreign keys are deferred: the ``COMMIT`` of
the large organisme checked some 60 million references, over 15 minutes; plus the administrations' trigger).
When ``DATABASE_ADMIN_URL`` is set (a superuser, as on a development machine), the generator connects with
it, sets ``session_replication_role = replica`` (no trigger fires: the rows are consistent by construction)
and then ``SET ROLE`` to the application role, so that row-level security and the tenant setting still apply
to every statement; it also drops the secondary indexes of the big tables (a year of care, the access journal) for the load
and builds them once at the end (``_differer_index``: a dozen indexes over random UUIDs maintained row by row
were most of the rest). Measured on 2 cores (issue 16): the large organisme in 178 s (load 113 s, indexes
62 s) instead of 781 s; the reduced one (4 ESMS, 320 persons) in 32 s instead of 130 to 158 s. Use a
database of its own for the bench: the indexes are missing for every tenant while it loads.
``--chrono S`` prints each statement slower than S seconds. ``--journal JOURS`` also writes that many days of the
access journal (15 rows a day per person: a year is 8.8 million rows), which the DPO's pages read and every page
showing a person inserts into.

``--organismes N`` builds N organismes of the same size (the scaling run of issue 16): the first is the
bench organisme (``bench<n>@bench.dui``, the one ``load.py`` measures), the others are its neighbours
(``bench<n>@og<k>.bench.dui``), whose data the measured pages must never have to read.
Every bench account has the password ``Bench-DUI-2026!`` and the TOTP secret below (bench only).
Later issues add their usagers, séjours, transmissions… here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dui.settings")

_APP_ROLE = ""
if __name__ == "__main__" and os.environ.get("DATABASE_ADMIN_URL") and os.environ.get("DATABASE_URL"):
    from urllib.parse import urlsplit, urlunsplit

    _app = urlsplit(os.environ["DATABASE_URL"])
    _APP_ROLE = _app.username or ""
    os.environ["DATABASE_URL"] = urlunsplit(
        urlsplit(os.environ["DATABASE_ADMIN_URL"])._replace(path=_app.path)
    )

import django  # noqa: E402

django.setup()

if _APP_ROLE:
    from django.db.backends.signals import connection_created

    def _sans_declencheurs(sender, connection, **kwargs):  # noqa: ANN001
        if connection.alias == "default":
            with connection.cursor() as cur:
                cur.execute("SET session_replication_role = replica")
                cur.execute(f"SET ROLE {connection.ops.quote_name(_APP_ROLE)}")

    connection_created.connect(_sans_declencheurs)

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from dui.chiffrement import chiffrer  # noqa: E402
from dui.models import OrganismeGestionnaire  # noqa: E402
from dui.tenancy import tenant_context  # noqa: E402

BENCH_FINESS = "990000009"
BENCH_PASSWORD = "Bench-DUI-2026!"
BENCH_TOTP = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU"
ROLES = [
    "directeur",
    "chef_service",
    "medecin",
    "infirmier",
    "aide_soignant",
    "aide_soignant",
    "aide_soignant",
    "educateur",
    "psychologue",
    "agent_administratif",
]


def identite(numero: int) -> tuple[str, str, str]:
    """(FINESS juridique, e-mail domain, prefix of the ESMS' FINESS) of the bench organisme ``numero``."""
    if numero == 1:
        return BENCH_FINESS, "bench.dui", "99"
    return f"98{numero:07d}", f"og{numero}.bench.dui", f"98{numero:02d}"


def generate(n_etab: int, n_pro: int, n_usagers: int, numero: int = 1, domaines: str = "tous") -> None:
    t0 = time.perf_counter()
    finess, domaine, prefixe = identite(numero)
    with transaction.atomic():
        og = OrganismeGestionnaire.objects.filter(finess_juridique=finess).first()
        if og:
            with tenant_context(og.pk), connection.cursor() as cur:
                cur.execute(
                    "SELECT EXISTS (SELECT 1 FROM soins_transmission WHERE organisme_id = %s)", [og.pk]
                )
                if not cur.fetchone()[0]:
                    print(f"L'organisme de bench existe (id {og.pk}) : ajout des données de soins.")
                    print(_soins(cur, og.pk), f"en {time.perf_counter() - t0:.1f} s")
                cur.execute(
                    "SELECT EXISTS (SELECT 1 FROM medicaments_prescription WHERE organisme_id = %s)", [og.pk]
                )
                if not cur.fetchone()[0]:
                    print(f"L'organisme de bench existe (id {og.pk}) : ajout du circuit du médicament.")
                    print(_medicaments(cur, og.pk), f"en {time.perf_counter() - t0:.1f} s")
                cur.execute(
                    "SELECT EXISTS (SELECT 1 FROM coordination_evenement WHERE organisme_id = %s)", [og.pk]
                )
                if not cur.fetchone()[0]:
                    print(f"L'organisme de bench existe (id {og.pk}) : ajout de l'agenda.")
                    print(_coordination(cur, og.pk), f"en {time.perf_counter() - t0:.1f} s")
                cur.execute(
                    "SELECT EXISTS (SELECT 1 FROM documents_classedocument WHERE organisme_id = %s)", [og.pk]
                )
                if not cur.fetchone()[0]:
                    print(f"L'organisme de bench existe (id {og.pk}) : ajout des documents déposés.")
                    print(_documents(cur, og.pk), f"en {time.perf_counter() - t0:.1f} s")
                cur.execute("SELECT EXISTS (SELECT 1 FROM interop_envoi WHERE organisme_id = %s)", [og.pk])
                if not cur.fetchone()[0]:
                    print(f"L'organisme de bench existe (id {og.pk}) : ajout des échanges.")
                    print(_echanges(cur, og.pk), f"en {time.perf_counter() - t0:.1f} s")
                    return
                print(f"L'organisme de bench existe déjà (id {og.pk}) : rien à faire.")
            return
        og = OrganismeGestionnaire.objects.create(
            raison_sociale="Bench — Grand organisme" + (f" {numero}" if numero > 1 else ""),
            finess_juridique=finess,
        )
        hashed = make_password(BENCH_PASSWORD)
        with tenant_context(og.pk), connection.cursor() as cur:
            cur.execute(
                """
                INSERT INTO dui_etablissement (organisme_id, public_id, cree_le, modifie_le, nom, finess_geographique,
                                               categorie, adresse, telephone, capacite, actif)
                SELECT %s, gen_random_uuid(), now(), now(), 'ESMS bench ' || g, %s || lpad(g::text, 9 - length(%s), '0'),
                       (ARRAY['EHPAD','MAS','FAM','IME','SESSAD'])[1 + g %% 5], '', '', 80, true
                FROM generate_series(1, %s) g""",
                [og.pk, prefixe, prefixe, n_etab],
            )
            cur.execute(
                """
                INSERT INTO dui_unite (organisme_id, public_id, cree_le, modifie_le, etablissement_id, nom, capacite, active)
                SELECT e.organisme_id, gen_random_uuid(), now(), now(), e.id, 'Unité ' || u, 20, true
                FROM dui_etablissement e CROSS JOIN generate_series(1, 4) u WHERE e.organisme_id = %s""",
                [og.pk],
            )
            cur.execute(
                """
                INSERT INTO habilitations_professionnel (organisme_id, public_id, email, nom, prenom, profession, rpps,
                    is_active, est_admin_plateforme, est_admin_organisme, est_dpo, date_joined, password,
                    doit_changer_mot_de_passe, psc_sub)
                SELECT %s, gen_random_uuid(), 'bench' || g || '@' || %s, 'Nom' || g, 'Prénom' || g, 'autre', '',
                       true, false, g = 1, g = 1, now(), %s, false, ''
                FROM generate_series(1, %s) g""",
                [og.pk, domaine, hashed, n_pro],
            )
            cur.execute(
                """
                INSERT INTO habilitations_dispositiftotp (organisme_id, professionnel_id, secret, confirme, dernier_pas,
                    cree_le, empreinte_code_enrolement)
                SELECT organisme_id, id, %s, true, 0, now(), ''
                FROM habilitations_professionnel WHERE organisme_id = %s""",
                [chiffrer(BENCH_TOTP), og.pk],  # encrypted at rest, as every seed (dui.chiffrement)
            )
            # Two habilitations per professional: a role in "their" ESMS and one in the next.
            cur.execute(
                """
                WITH p AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM habilitations_professionnel
                           WHERE organisme_id = %(og)s),
                     e AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM dui_etablissement
                           WHERE organisme_id = %(og)s)
                INSERT INTO habilitations_habilitation (organisme_id, public_id, cree_le, modifie_le, professionnel_id,
                                                        etablissement_id, role, debut, fin)
                SELECT %(og)s, gen_random_uuid(), now(), now(), p.id, e.id,
                       (%(roles)s::text[])[1 + (p.n + k) %% %(nroles)s], current_date - 200, NULL
                FROM p CROSS JOIN generate_series(0, 1) k
                JOIN e ON e.n = 1 + ((p.n + k) %% %(netab)s)""",
                {"og": og.pk, "roles": ROLES, "nroles": len(ROLES), "netab": n_etab},
            )
            cur.execute("SELECT count(*) FROM habilitations_habilitation")
            habs = cur.fetchone()[0]
            # Usagers: names drawn from lists, one current séjour each (older ones for a third), two proches.
            cur.execute(
                """
                WITH noms AS (SELECT ARRAY['Martin','Bernard','Thomas','Petit','Robert','Richard','Durand',
                        'Dubois','Moreau','Laurent','Simon','Michel','Lefèvre','Leroy','Roux','David','Bertrand',
                        'Morel','Fournier','Girard','Bonnet','Dupont','Lambert','Fontaine','Rousseau','Vincent',
                        'Muller','Lefebvre','Faure','André','Mercier','Blanc','Guérin','Boyer','Garnier','Chevalier',
                        'François','Legrand','Gauthier','Garcia'] AS n,
                        ARRAY['Marie','Jeanne','Françoise','Monique','Catherine','Nathalie','Isabelle','Jacqueline',
                        'Anne','Sylvie','Jean','Pierre','Michel','André','Philippe','René','Louis','Alain','Jacques',
                        'Bernard'] AS p)
                INSERT INTO usagers_usager (organisme_id, public_id, cree_le, modifie_le, nom_naissance, prenoms_naissance,
                    premier_prenom, date_naissance, sexe, lieu_naissance_insee, nom_usage, prenom_utilise,
                    statut_identite, matricule_ins, oid_ins, nom_recherche, photo)
                SELECT %(og)s, gen_random_uuid(), now(), now(), n[1 + g %% 40], ARRAY[p[1 + (g / 40) %% 20]],
                       p[1 + (g / 40) %% 20], date '1925-01-01' + (g * 7919 %% 25000), CASE WHEN g %% 2 = 0 THEN 'F' ELSE 'M' END,
                       '75056', '', '', 'PROV', '', '',
                       lower(unaccent(n[1 + g %% 40] || ' ' || p[1 + (g / 40) %% 20])), ''
                FROM noms, generate_series(1, %(n)s) g""",
                {"og": og.pk, "n": n_usagers},
            )
            cur.execute(
                """
                WITH u AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM usagers_usager WHERE organisme_id = %(og)s),
                     e AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM dui_etablissement WHERE organisme_id = %(og)s)
                INSERT INTO usagers_sejour (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
                    unite_id, chambre, mode_accueil, date_entree, provenance, date_sortie, motif_sortie, destination)
                SELECT %(og)s, gen_random_uuid(), current_date - (u.n %% 1500)::int, now(), u.id, e.id, NULL,
                       (u.n %% 80)::text, 'permanent', current_date - (u.n %% 1500)::int, '', NULL, '', ''
                FROM u JOIN e ON e.n = 1 + (u.n %% %(netab)s)""",
                {"og": og.pk, "netab": n_etab},
            )
            cur.execute(
                """
                INSERT INTO usagers_proche (organisme_id, public_id, cree_le, modifie_le, usager_id, nom, prenom, lien,
                    telephone, telephone_2, email, adresse, personne_confiance, a_prevenir, ordre_appel, aidant,
                    representant_legal)
                SELECT organisme_id, gen_random_uuid(), now(), now(), id, nom_naissance, 'Proche ' || k, 'enfant',
                       '0600000000', '', '', '', k = 1, true, k, false, false
                FROM usagers_usager CROSS JOIN generate_series(1, 2) k WHERE organisme_id = %(og)s""",
                {"og": og.pk},
            )
            # Presence history: a week's hospitalisation every ~4 months for one usager in three.
            cur.execute(
                """
                INSERT INTO usagers_absence (organisme_id, public_id, cree_le, modifie_le, sejour_id, motif, debut, fin,
                    commentaire)
                SELECT s.organisme_id, gen_random_uuid(), now(), now(), s.id, 'hospitalisation', d::date, d::date + 6, ''
                FROM usagers_sejour s
                CROSS JOIN LATERAL generate_series(s.date_entree + 30, current_date - 10, interval '120 days') d
                WHERE s.organisme_id = %(og)s AND s.id %% 3 = 0""",
                {"og": og.pk},
            )
            # Waiting lists: 15 open admission requests per ESMS, of various ages and priorities.
            cur.execute(
                """
                INSERT INTO admission_demandeadmission (organisme_id, public_id, cree_le, modifie_le, etablissement_id,
                    nom_naissance, prenoms_naissance, date_naissance, sexe, lieu_naissance_insee, contact, origine,
                    reference_viatrajectoire, cdaph_numero_decision, orientation, mode_accueil, date_reception,
                    priorite, statut, commentaire)
                SELECT e.organisme_id, gen_random_uuid(), now(), now(), e.id, 'Candidat' || k, ARRAY['Prénom'],
                       date '1940-01-01' + k * 97, 'F', '', '', 'viatrajectoire', 'VT-' || e.id || '-' || k, '',
                       'EHPAD', 'permanent', current_date - k * 11, 1 + k %% 3, 'en_attente', ''
                FROM dui_etablissement e CROSS JOIN generate_series(1, 15) k WHERE e.organisme_id = %(og)s""",
                {"og": og.pk},
            )
            relation = ""
            if domaines == "relation":  # a quick organisme for the relation usager's pages only (issue 19)
                accompagnement = soins = medicaments = echanges = coordination = "(domaines non générés)"
                relation = _relation(cur, og.pk)
            elif domaines == "documents":  # a quick organisme for the documents' pages only (issue 18)
                accompagnement = soins = medicaments = echanges = coordination = "(domaines non générés)"
            else:
                accompagnement = _accompagnement(cur, og.pk)
                soins = _soins(cur, og.pk)
                medicaments = _medicaments(cur, og.pk)
                echanges = _echanges(cur, og.pk)
                coordination = _coordination(cur, og.pk)
                relation = _relation(cur, og.pk)
            documents = _documents(cur, og.pk) if domaines != "relation" else "(documents non générés)"
    print(
        f"Organisme de bench créé : {n_etab} ESMS, {4 * n_etab} unités, {n_pro} professionnels, "
        f"{habs} habilitations, {n_usagers} usagers (séjour et 2 proches chacun), {accompagnement}, {soins}, "
        f"{medicaments}, {echanges}, {coordination}, {documents}, {relation} "
        f"en {time.perf_counter() - t0:.1f} s"
    )


AGGIR_CODES = (
    '{"coherence": "B", "orientation": "B", "toilette": "B", "habillage": "B", "alimentation": "A", '
    '"elimination": "B", "transferts": "B", "deplacements_interieurs": "B", '
    '"deplacements_exterieurs": "C", "alerter": "B"}'
)


def _accompagnement(cur, og: int) -> str:
    """Projets personnalisés (current version, a replaced one for half of the persons, one bilan in
    seven overdue) with attentes, besoins, objectives and actions; three AGGIR evaluations per person
    over two years; twenty observations per person over the last year."""
    p = {"og": og, "codes": AGGIR_CODES}
    coordonnateurs = """c AS (SELECT DISTINCT ON (etablissement_id) etablissement_id, professionnel_id
                              FROM habilitations_habilitation WHERE organisme_id = %(og)s
                              ORDER BY etablissement_id, id)"""
    sejours = """s AS (SELECT id, usager_id, etablissement_id, date_entree, row_number() OVER (ORDER BY id) AS n
                       FROM usagers_sejour WHERE organisme_id = %(og)s AND date_sortie IS NULL)"""
    cur.execute(
        f"""
        WITH {sejours}, {coordonnateurs}
        INSERT INTO accompagnement_projetpersonnalise (organisme_id, public_id, cree_le, modifie_le, version, statut,
            projet_de_vie, date_validation, echeance_bilan, date_bilan, synthese_bilan, avis_usager_bilan, bilan_par_id,
            coordonnateur_id, etablissement_id, precedent_id, usager_id)
        SELECT %(og)s, gen_random_uuid(), now(), now(), v.version, v.statut,
               'Garder ses habitudes, voir sa famille le dimanche, sortir au jardin.', v.d, v.d + 365,
               CASE WHEN v.statut = 'remplace' THEN v.d + 360 END, CASE WHEN v.statut = 'remplace' THEN 'Bilan annuel' ELSE '' END,
               '', NULL, c.professionnel_id, s.etablissement_id, NULL, s.usager_id
        FROM s JOIN c USING (etablissement_id)
        CROSS JOIN LATERAL (VALUES (1 + (s.n %% 2)::int, 'en_oeuvre', current_date - (s.n %% 420)::int),
                                   (1, 'remplace', current_date - (s.n %% 420)::int - 365)) AS v(version, statut, d)
        WHERE v.statut = 'en_oeuvre' OR s.n %% 2 = 1""",
        p,
    )
    cur.execute(
        """
        INSERT INTO accompagnement_attente (organisme_id, public_id, cree_le, modifie_le, source, precision_source, texte,
            recueillie_le, projet_id)
        SELECT organisme_id, gen_random_uuid(), now(), now(), (ARRAY['usager', 'famille'])[k], '',
               (ARRAY['Je veux continuer à sortir au marché', 'Qu''il garde le contact avec ses petits-enfants'])[k],
               coalesce(date_validation, current_date) - 30, id
        FROM accompagnement_projetpersonnalise CROSS JOIN generate_series(1, 2) k WHERE organisme_id = %(og)s""",
        p,
    )
    cur.execute(
        """
        INSERT INTO accompagnement_besoin (organisme_id, public_id, cree_le, modifie_le, categorie_libre, description,
            priorite, code_serafin_id, projet_id)
        SELECT organisme_id, gen_random_uuid(), now(), now(), (ARRAY['Mobilité', 'Vie sociale'])[k], '', k, NULL, id
        FROM accompagnement_projetpersonnalise CROSS JOIN generate_series(1, 2) k WHERE organisme_id = %(og)s""",
        p,
    )
    cur.execute(
        """
        INSERT INTO accompagnement_objectif (organisme_id, public_id, cree_le, modifie_le, libelle, echeance, avis_usager,
            resultat, commentaire_bilan, besoin_id, reconduit_de_id, referent_id, projet_id)
        SELECT pp.organisme_id, gen_random_uuid(), now(), now(),
               (ARRAY['Marcher jusqu''au jardin chaque jour', 'Participer à l''atelier mémoire',
                      'Appeler sa fille chaque semaine'])[k], coalesce(pp.date_validation, current_date) + 180,
               'D''accord', CASE WHEN pp.statut = 'remplace' THEN 'partiel' ELSE '' END, '', NULL, NULL,
               pp.coordonnateur_id, pp.id
        FROM accompagnement_projetpersonnalise pp CROSS JOIN generate_series(1, 3) k WHERE pp.organisme_id = %(og)s""",
        p,
    )
    cur.execute(
        """
        INSERT INTO accompagnement_action (organisme_id, public_id, cree_le, modifie_le, libelle, intervenant, frequence,
            moyens, prestation_id, objectif_id)
        SELECT organisme_id, gen_random_uuid(), now(), now(), 'Accompagnement par l''équipe', 'Équipe du pavillon',
               'chaque semaine', '', NULL, id
        FROM accompagnement_objectif WHERE organisme_id = %(og)s""",
        p,
    )
    cur.execute(
        """
        INSERT INTO accompagnement_avisvalidation (organisme_id, public_id, cree_le, modifie_le, decision, exprime_par,
            nom_representant, modalite, date_avis, motif, recueilli_par_id, projet_id, donne_en_ligne_par)
        SELECT organisme_id, gen_random_uuid(), now(), now(), 'accord', 'usager', '', 'oral', date_validation, '',
               coordonnateur_id, id, ''
        FROM accompagnement_projetpersonnalise WHERE organisme_id = %(og)s""",
        p,
    )
    cur.execute(
        f"""
        WITH {sejours}, {coordonnateurs}
        INSERT INTO accompagnement_evaluationaggir (organisme_id, public_id, cree_le, modifie_le, date_evaluation, mode,
            reponses, codes, illustratives, gir, rang, commentaire, annulee_le, motif_cloture, annulee_par_id,
            etablissement_id, evaluateur_id, usager_id)
        SELECT %(og)s, gen_random_uuid(), now(), now(), current_date - (k * 330 + s.n %% 30)::int, 'direct',
               '{{}}'::jsonb, %(codes)s::jsonb, '{{}}'::jsonb, 1 + ((s.usager_id + k) %% 6)::int,
               (ARRAY[1, 4, 8, 10, 12, 13])[1 + ((s.usager_id + k) %% 6)::int], '', NULL, '', NULL,
               s.etablissement_id, c.professionnel_id, s.usager_id
        FROM s JOIN c USING (etablissement_id) CROSS JOIN generate_series(0, 2) k""",
        p,
    )
    cur.execute(
        f"""
        WITH {sejours}, {coordonnateurs}
        INSERT INTO accompagnement_observation (organisme_id, public_id, cree_le, modifie_le, date_observation,
            categorie, texte, confidentialite, auteur_id, etablissement_id, objectif_id, usager_id)
        SELECT %(og)s, gen_random_uuid(), now(), now(), now() - make_interval(days => k * 18, hours => (s.n %% 12)::int),
               (ARRAY['educatif', 'vie_quotidienne', 'social', 'famille'])[1 + k %% 4],
               'Observation ' || k || ' : journée calme, participation à l''atelier, échanges avec sa famille.',
               (ARRAY['equipe', 'equipe', 'equipe', 'restreinte'])[1 + k %% 4], c.professionnel_id,
               s.etablissement_id, NULL, s.usager_id
        FROM s JOIN c USING (etablissement_id) CROSS JOIN generate_series(1, 20) k""",
        p,
    )
    comptes = {}
    for table in ("projetpersonnalise", "objectif", "evaluationaggir", "observation"):
        cur.execute(f"SELECT count(*) FROM accompagnement_{table} WHERE organisme_id = %s", [og])
        comptes[table] = cur.fetchone()[0]
    return (
        f"{comptes['projetpersonnalise']} projets personnalisés ({comptes['objectif']} objectifs), "
        f"{comptes['evaluationaggir']} évaluations AGGIR, {comptes['observation']} observations"
    )


def _soins(cur, og: int) -> str:
    """A year of soins for every person in a current séjour: each séjour placed in one of its ESMS's four
    units; allergies for one person in four; a plan de soins of three recurring tasks (toilette once,
    change three times, hydratation twice a day) with every occurrence of the year validated (about 5 %
    not done); two transmissions a day; blood pressure, pulse, temperature and SpO2 every other day (a few
    out of range, with their alert)."""
    p = {"og": og}
    # séjours were recorded on their admission day: nobody is a new arrival in the relève
    cur.execute(
        "UPDATE usagers_sejour SET cree_le = date_entree WHERE organisme_id = %(og)s AND cree_le > date_entree",
        p,
    )
    cur.execute(
        """
        WITH u AS (SELECT id, etablissement_id, row_number() OVER (PARTITION BY etablissement_id ORDER BY id) AS n
                   FROM usagers_sejour WHERE organisme_id = %(og)s AND date_sortie IS NULL),
             un AS (SELECT id, etablissement_id, row_number() OVER (PARTITION BY etablissement_id ORDER BY id) AS n
                    FROM dui_unite WHERE organisme_id = %(og)s)
        UPDATE usagers_sejour s SET unite_id = un.id
        FROM u JOIN un ON un.etablissement_id = u.etablissement_id AND un.n = 1 + (u.n %% 4)
        WHERE s.id = u.id""",
        p,
    )
    sejours = """s AS (SELECT s.id, s.usager_id, s.etablissement_id, s.unite_id, s.date_entree,
                              row_number() OVER (ORDER BY s.id) AS n
                       FROM usagers_sejour s WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL),
                 c AS (SELECT DISTINCT ON (etablissement_id) etablissement_id, professionnel_id
                       FROM habilitations_habilitation WHERE organisme_id = %(og)s
                       ORDER BY etablissement_id, id)"""
    cur.execute(
        f"""
        WITH {sejours}
        INSERT INTO soins_dossiersoins (organisme_id, public_id, cree_le, modifie_le, usager_id, statut_allergies,
            regime, regime_precisions, texture, liquides, risque_chute, risque_escarre, risque_denutrition,
            risque_fausse_route, remarques)
        SELECT %(og)s, gen_random_uuid(), now(), now(), s.usager_id,
               CASE WHEN s.n %% 4 = 0 THEN 'renseignees' ELSE 'aucune' END, 'normal', '',
               (ARRAY['normale', 'hachee', 'mixee'])[1 + s.n %% 3], 'normaux',
               (ARRAY['faible', 'modere', 'eleve'])[1 + s.n %% 3], 'faible', 'faible', 'faible', ''
        FROM s ON CONFLICT (usager_id) DO NOTHING""",
        p,
    )
    cur.execute(
        f"""
        WITH {sejours}
        INSERT INTO soins_allergie (organisme_id, public_id, cree_le, modifie_le, usager_id, nature, type_agent, agent,
            agent_normalise, reaction, severite, certitude, date_constat, source, saisie_par_id, inactive_le,
            motif_cloture)
        SELECT %(og)s, gen_random_uuid(), now(), now(), s.usager_id, 'allergie', 'substance', 'Amoxicilline',
               'amoxicilline', 'Urticaire', 'severe', 'confirmee', NULL, '', c.professionnel_id, NULL, ''
        FROM s JOIN c USING (etablissement_id) WHERE s.n %% 4 = 0""",
        p,
    )
    cur.execute(
        f"""
        WITH {sejours}
        INSERT INTO soins_soinplanifie (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            type_soin, libelle, consignes, heures, recurrence, intervalle, jours_semaine, date_debut, date_fin,
            cree_par_id, arrete_le, arrete_par_id, motif_cloture)
        SELECT %(og)s, gen_random_uuid(), now(), now(), s.usager_id, s.etablissement_id, t.type_soin, t.libelle, '',
               t.heures, 'quotidien', 1, '{{}}', current_date - 365, NULL, c.professionnel_id, NULL, NULL, ''
        FROM s JOIN c USING (etablissement_id)
        CROSS JOIN (VALUES ('toilette', 'Toilette', ARRAY['08:00'::time]),
                           ('change', '', ARRAY['07:00'::time, '13:00'::time, '21:00'::time]),
                           ('hydratation', 'Proposer à boire', ARRAY['10:00'::time, '16:00'::time])) t(type_soin, libelle, heures)""",
        p,
    )
    # Every occurrence of the past year (today's before now) validated by the unit's aide-soignant.
    cur.execute(
        f"""
        WITH {sejours}
        INSERT INTO soins_realisationsoin (organisme_id, public_id, cree_le, modifie_le, soin_id, usager_id,
            etablissement_id, date_prevue, heure_prevue, statut, motif, precision, reporte_a, auteur_id, realise_le,
            cle_idempotence)
        SELECT %(og)s, gen_random_uuid(), now(), now(), sp.id, sp.usager_id, sp.etablissement_id, d::date, h,
               CASE WHEN (sp.id + extract(doy FROM d)::int + extract(hour FROM h)::int) %% 20 = 0 THEN 'pas_fait'
                    ELSE 'fait' END,
               CASE WHEN (sp.id + extract(doy FROM d)::int + extract(hour FROM h)::int) %% 20 = 0 THEN 'refus'
                    ELSE '' END,
               '', NULL, c.professionnel_id, (d::date + h + interval '12 minutes') AT TIME ZONE 'Europe/Paris', ''
        FROM soins_soinplanifie sp JOIN c USING (etablissement_id)
        CROSS JOIN generate_series(current_date - 365, current_date, interval '1 day') d
        CROSS JOIN LATERAL unnest(sp.heures) h
        WHERE sp.organisme_id = %(og)s AND (d::date + h) AT TIME ZONE 'Europe/Paris' < now() - interval '1 hour'""",
        p,
    )
    cur.execute(
        f"""
        WITH {sejours}
        INSERT INTO soins_transmission (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            unite_id, auteur_id, ecrite_le, poste, date_poste, cible, donnees, actions, resultats, texte, importante)
        SELECT %(og)s, gen_random_uuid(), now(), now(), s.usager_id, s.etablissement_id, s.unite_id, c.professionnel_id,
               now() - make_interval(days => d, hours => 3 + k * 8 + (s.n %% 4)::int),
               (ARRAY['matin', 'apres_midi', 'nuit'])[1 + k %% 3],
               (now() - make_interval(days => d, hours => 3 + k * 8))::date,
               (ARRAY['Sommeil', 'Douleur', 'Alimentation', 'Comportement', 'Peau'])[1 + (s.n + d + k) %% 5],
               'Observation du poste : ' || (ARRAY['nuit agitée', 'douleur au genou (EN 4)', 'a mangé la moitié du plateau',
                   'déambulation en fin de journée', 'rougeur du talon'])[1 + (s.n + d + k) %% 5],
               'Réassurance, protocole appliqué, IDE informée.', 'À réévaluer au prochain poste.', '',
               (s.n + d + k) %% 9 = 0
        FROM s JOIN c USING (etablissement_id) CROSS JOIN generate_series(0, 364) d CROSS JOIN generate_series(0, 1) k""",
        p,
    )
    cur.execute(
        f"""
        WITH {sejours}, m AS (
            SELECT s.usager_id, s.etablissement_id, c.professionnel_id,
                   now() - make_interval(days => d * 2, hours => 2 + (s.n %% 5)::int) AS moment,
                   (s.n * 7 + d * 13) %% 100 AS tirage
            FROM s JOIN c USING (etablissement_id) CROSS JOIN generate_series(0, 182) d)
        INSERT INTO soins_constante (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            type_constante, valeur, valeur_2, mesure_le, commentaire, alerte, auteur_id, annulee_le, motif_cloture)
        SELECT %(og)s, gen_random_uuid(), now(), now(), m.usager_id, m.etablissement_id, t.code,
               CASE t.code WHEN 'tension' THEN CASE WHEN m.tirage < 3 THEN 172 ELSE 120 + m.tirage %% 25 END
                           WHEN 'pouls' THEN 64 + m.tirage %% 25
                           WHEN 'temperature' THEN CASE WHEN m.tirage = 50 THEN 38.6 ELSE 36.4 + (m.tirage %% 10) / 10.0 END
                           ELSE 93 + m.tirage %% 6 END,
               CASE WHEN t.code = 'tension' THEN 70 + m.tirage %% 15 END, m.moment, '',
               CASE WHEN t.code = 'tension' AND m.tirage < 3 THEN 'Systolique 172 mmHg > seuil 160'
                    WHEN t.code = 'temperature' AND m.tirage = 50 THEN 'Température 38,6 °C > seuil 38,0'
                    ELSE '' END,
               m.professionnel_id, NULL, ''
        FROM m CROSS JOIN (VALUES ('tension'), ('pouls'), ('temperature'), ('spo2')) t(code)""",
        p,
    )
    comptes = {}
    for table in ("transmission", "constante", "realisationsoin", "soinplanifie"):
        cur.execute(f"SELECT count(*) FROM soins_{table} WHERE organisme_id = %s", [og])
        comptes[table] = cur.fetchone()[0]
    return (
        f"{comptes['transmission']} transmissions, {comptes['constante']} constantes, "
        f"{comptes['soinplanifie']} soins planifiés, {comptes['realisationsoin']} soins tracés sur un an"
    )


# Spécialités of the shipped BDPM extract (CIS): the usual treatments of an EHPAD.
CIS_BENCH = [
    "60234100",
    "60759607",
    "66771566",
    "69340279",
    "64813949",
    "68125932",
    "69065160",
    "63811710",
    "61471344",
    "68728154",
    "68269975",
    "60192594",
    "61438166",
    "68416845",
]


def _medicaments(cur, og: int) -> str:
    """The circuit du médicament over a year: nurses in the EHPADs; in each EHPAD the residents of units 3 and 4 move to units 1
    and 2 (two 40-bed units, ``Unité 1 (40 lits)`` for the round page); 4 to 8 lines per EHPAD resident
    and 2 to 4 elsewhere, started a year ago, with a "si besoin" paracétamol for EHPAD residents; the
    plan d'administration from then to the horizon; every dose before the last hour administered (about
    3 % refused, 2 % not given); a "si besoin" dose every fourth day."""
    from medicaments import bdpm
    from medicaments.models import Specialite

    if not Specialite.objects.filter(cis__in=CIS_BENCH).count() == len(CIS_BENCH):
        bdpm.importer()
    p = {"og": og, "cis": CIS_BENCH, "ncis": len(CIS_BENCH)}
    # the role rotation gives the EHPADs only aides-soignants and admission staff: half of the aides-soignants
    # (odd account numbers) become nurses, who prescribe nothing but run the rounds
    cur.execute(
        """
        UPDATE habilitations_habilitation h SET role = 'infirmier'
        FROM dui_etablissement e, habilitations_professionnel pro
        WHERE e.id = h.etablissement_id AND pro.id = h.professionnel_id AND h.organisme_id = %(og)s
          AND e.categorie = 'EHPAD' AND h.role = 'aide_soignant'
          AND substring(pro.email from 'bench([0-9]+)@')::int %% 2 = 1""",
        p,
    )
    cur.execute(
        """
        WITH un AS (SELECT u.id, u.etablissement_id, row_number() OVER (PARTITION BY u.etablissement_id ORDER BY u.id) AS n
                    FROM dui_unite u JOIN dui_etablissement e ON e.id = u.etablissement_id
                    WHERE u.organisme_id = %(og)s AND e.categorie = 'EHPAD')
        UPDATE usagers_sejour s SET unite_id = cible.id
        FROM un source JOIN un cible ON cible.etablissement_id = source.etablissement_id AND cible.n = source.n - 2
        WHERE s.unite_id = source.id AND source.n > 2""",
        p,
    )
    cur.execute(
        """
        UPDATE dui_unite u SET nom = 'Unité 1 (40 lits)', capacite = 40
        FROM dui_etablissement e WHERE e.id = u.etablissement_id AND e.categorie = 'EHPAD' AND u.organisme_id = %(og)s
          AND u.nom = 'Unité 1'""",
        p,
    )
    sejours = """s AS (SELECT s.id, s.usager_id, s.etablissement_id, e.categorie = 'EHPAD' AS ehpad,
                              row_number() OVER (ORDER BY s.id) AS n
                       FROM usagers_sejour s JOIN dui_etablissement e ON e.id = s.etablissement_id
                       WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL),
                 c AS (SELECT DISTINCT ON (etablissement_id) etablissement_id, professionnel_id
                       FROM habilitations_habilitation WHERE organisme_id = %(og)s
                       ORDER BY etablissement_id, id),
                 sp AS (SELECT id, cis, denomination FROM medicaments_specialite WHERE cis = ANY(%(cis)s::text[]))"""
    cur.execute(
        f"""
        WITH {sejours}, lignes AS (
            SELECT s.*, k FROM s CROSS JOIN LATERAL generate_series(1, CASE WHEN s.ehpad THEN 4 + s.n %% 5
                                                                      ELSE 2 + s.n %% 3 END) k)
        INSERT INTO medicaments_prescription (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            prescripteur_id, specialite_id, substance_id, libelle, dosage_dci, dose, unite, voie, heures, recurrence,
            intervalle, jours_semaine, debut, fin, si_besoin, indication, max_par_24h, consignes, commentaire,
            remplace_id, arrete_le, arrete_par_id, motif_cloture)
        SELECT %(og)s, gen_random_uuid(), now() - interval '365 days', now(), l.usager_id, l.etablissement_id,
               c.professionnel_id, sp.id, NULL, sp.denomination, '', 1, 'comprime', 'orale',
               ((ARRAY['{{08:00}}', '{{08:00,20:00}}', '{{20:00}}', '{{08:00,12:00,18:00}}', '{{21:00}}'])
                    [1 + (l.n + l.k) %% 5])::time[],
               'quotidien', 1, '{{}}', now() - interval '365 days', NULL, false, '', NULL, '{{}}', '', NULL, NULL, NULL, ''
        FROM lignes l JOIN c USING (etablissement_id)
        JOIN sp ON sp.cis = (%(cis)s::text[])[1 + (l.n * 3 + l.k * 7) %% %(ncis)s]""",
        p,
    )
    cur.execute(
        f"""
        WITH {sejours}
        INSERT INTO medicaments_prescription (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            prescripteur_id, specialite_id, substance_id, libelle, dosage_dci, dose, unite, voie, heures, recurrence,
            intervalle, jours_semaine, debut, fin, si_besoin, indication, max_par_24h, consignes, commentaire,
            remplace_id, arrete_le, arrete_par_id, motif_cloture)
        SELECT %(og)s, gen_random_uuid(), now() - interval '365 days', now(), s.usager_id, s.etablissement_id,
               c.professionnel_id, sp.id, NULL, sp.denomination, '', 1, 'comprime', 'orale', '{{}}', 'quotidien', 1,
               '{{}}', now() - interval '365 days', NULL, true, 'Douleur ou fièvre', 3, '{{}}', '', NULL, NULL, NULL, ''
        FROM s JOIN c USING (etablissement_id) JOIN sp ON sp.cis = '60234100' WHERE s.ehpad""",
        p,
    )
    cur.execute(
        """
        INSERT INTO medicaments_doseplanifiee (organisme_id, public_id, cree_le, modifie_le, prescription_id, usager_id,
            etablissement_id, prevue_le)
        SELECT p.organisme_id, gen_random_uuid(), now(), now(), p.id, p.usager_id, p.etablissement_id,
               (d::date + h) AT TIME ZONE 'Europe/Paris'
        FROM medicaments_prescription p
        CROSS JOIN generate_series(current_date - 364, current_date + 14, interval '1 day') d
        CROSS JOIN LATERAL unnest(p.heures) h
        WHERE p.organisme_id = %(og)s AND NOT p.si_besoin""",
        p,
    )
    # The doses were written in this transaction and may have no index (``_differer_index``): without fresh
    # statistics the planner picked a nested loop over them (77 s for the reduced organisme instead of 3).
    cur.execute("SET enable_nestloop = off")
    cur.execute(
        """
        INSERT INTO medicaments_administration (organisme_id, public_id, cree_le, modifie_le, prescription_id, dose_id,
            usager_id, etablissement_id, statut, motif, precision, reporte_a, indication, quantite, administree_le,
            auteur_id, cip13_scanne, cle_idempotence, effet, commentaire_reevaluation)
        SELECT d.organisme_id, gen_random_uuid(), now(), now(), d.prescription_id, d.id, d.usager_id, d.etablissement_id,
               CASE WHEN d.id %% 33 = 0 THEN 'refuse' WHEN d.id %% 50 = 0 THEN 'non_donne' ELSE 'donne' END,
               CASE WHEN d.id %% 33 = 0 THEN 'refus' WHEN d.id %% 50 = 0 THEN 'endormi' ELSE '' END,
               '', NULL, '', 1, d.prevue_le + interval '10 minutes', p.prescripteur_id, '', '', '', ''
        FROM medicaments_doseplanifiee d JOIN medicaments_prescription p ON p.id = d.prescription_id
        WHERE d.organisme_id = %(og)s AND d.prevue_le < now() - interval '1 hour'""",
        p,
    )
    cur.execute("RESET enable_nestloop")
    cur.execute(
        """
        INSERT INTO medicaments_administration (organisme_id, public_id, cree_le, modifie_le, prescription_id, dose_id,
            usager_id, etablissement_id, statut, motif, precision, reporte_a, indication, quantite, administree_le,
            auteur_id, cip13_scanne, cle_idempotence, effet, commentaire_reevaluation)
        SELECT p.organisme_id, gen_random_uuid(), now(), now(), p.id, NULL, p.usager_id, p.etablissement_id, 'donne',
               '', '', NULL, 'Douleur', 1, now() - make_interval(days => j, hours => 3), p.prescripteur_id, '', '', '', ''
        FROM medicaments_prescription p CROSS JOIN generate_series(1, 360, 4) j
        WHERE p.organisme_id = %(og)s AND p.si_besoin""",
        p,
    )
    comptes = {}
    for table in ("prescription", "doseplanifiee", "administration"):
        cur.execute(f"SELECT count(*) FROM medicaments_{table} WHERE organisme_id = %s", [og])
        comptes[table] = cur.fetchone()[0]
    return (
        f"{comptes['prescription']} lignes de prescription, {comptes['doseplanifiee']} doses planifiées, "
        f"{comptes['administration']} administrations"
    )


def _echanges(cur, og: int) -> str:
    """A year of exchanges: two persons in three have a qualified identity; for each of them a DLU every
    quarter (documents produced), each sent to the DMP, the last one also by MSSanté; 1 % of the DMP sends
    in échec."""
    p = {"og": og}
    cur.execute(
        """
        UPDATE usagers_usager SET statut_identite = 'QUAL', matricule_ins = '295109912611193',
                                  oid_ins = '1.2.250.1.213.1.4.10'
        WHERE organisme_id = %(og)s AND id %% 3 <> 0""",
        p,
    )
    cur.execute(
        """
        WITH s AS (SELECT DISTINCT ON (s.usager_id) s.usager_id, s.etablissement_id,
                          (SELECT h.professionnel_id FROM habilitations_habilitation h
                           WHERE h.etablissement_id = s.etablissement_id ORDER BY h.id LIMIT 1) AS auteur
                   FROM usagers_sejour s JOIN usagers_usager u ON u.id = s.usager_id
                   WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL AND u.statut_identite = 'QUAL'
                   ORDER BY s.usager_id, s.id)
        INSERT INTO documents_document (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            type_document, code_loinc, categorie, titre, fichier, type_mime, taille, sha256, objet_type, objet_id,
            version, remplace_id, options, auteur_id, statut, erreur, produit_le, origine, source_libre,
            etiquettes, confidentialite, derniere_version, pages, indexation, indexation_remarques, texte,
            texte_ocr, apercu, vignette, en_erreur_motif)
        SELECT %(og)s, gen_random_uuid(), now() - (k * 91) * interval '1 day', now(), s.usager_id,
               s.etablissement_id, 'dlu', '74207-2', 'medical', 'Document de liaison d''urgence', '',
               'application/pdf', 40000, '', '', NULL, 1, NULL, '{}'::jsonb, s.auteur, 'disponible', '',
               now() - (k * 91) * interval '1 day', 'genere', '', '{}', 'normale', true, 2, 'faite', '', '',
               false, '', '', ''
        FROM s CROSS JOIN generate_series(0, 3) k""",
        p,
    )
    documents = cur.rowcount
    cur.execute(
        """
        INSERT INTO interop_envoi (organisme_id, public_id, cree_le, modifie_le, type_envoi, etablissement_id,
            usager_id, document_id, destinataire, libelle_destinataire, masquage, cle_idempotence, statut,
            tentatives, prochain_essai, derniere_erreur, reponse, envoye_le, demande_par_id, traite_par_id,
            operation, message_id)
        SELECT d.organisme_id, gen_random_uuid(), d.produit_le, now(), 'dmp', d.etablissement_id, d.usager_id, d.id,
               '', 'DMP', '[]'::jsonb, 'dmp:' || d.public_id,
               CASE WHEN d.id %% 100 = 0 THEN 'echec' ELSE 'envoye' END, 1, d.produit_le,
               CASE WHEN d.id %% 100 = 0 THEN 'Refusé par le DMP — XDSRegistryError : bench' ELSE '' END,
               CASE WHEN d.id %% 100 = 0 THEN '' ELSE 'Accepté par le DMP' END,
               CASE WHEN d.id %% 100 = 0 THEN NULL ELSE d.produit_le END, d.auteur_id, NULL, 'depot', ''
        FROM documents_document d WHERE d.organisme_id = %(og)s AND d.type_document = 'dlu'""",
        p,
    )
    dmp = cur.rowcount
    cur.execute(
        """
        INSERT INTO interop_envoi (organisme_id, public_id, cree_le, modifie_le, type_envoi, etablissement_id,
            usager_id, document_id, destinataire, libelle_destinataire, masquage, cle_idempotence, statut,
            tentatives, prochain_essai, derniere_erreur, reponse, envoye_le, demande_par_id, traite_par_id,
            operation, message_id)
        SELECT DISTINCT ON (d.usager_id) d.organisme_id, gen_random_uuid(), d.produit_le, now(), 'mssante',
               d.etablissement_id, d.usager_id, d.id, 'medecin@cabinet.mssante.fr', 'Médecin traitant', '[]'::jsonb,
               'mss:' || d.public_id || ':medecin@cabinet.mssante.fr', 'envoye', 1, d.produit_le, '',
               'Remis au serveur MSSanté', d.produit_le, d.auteur_id, NULL, 'depot', ''
        FROM documents_document d WHERE d.organisme_id = %(og)s AND d.type_document = 'dlu'
        ORDER BY d.usager_id, d.produit_le DESC""",
        p,
    )
    return f"{documents} DLU, {dmp} envois au DMP et {cur.rowcount} messages MSSanté"


MOTS_DOCUMENTS = (
    "patiente hospitalisée service gériatrie chute domicile fracture col fémur ostéosynthèse rééducation "
    "kinésithérapie douleur paracétamol anticoagulant fibrillation auriculaire insuffisance cardiaque diurétique "
    "créatinine clairance bilan sanguin hémoglobine ferritine escarre talon pansement hydrocolloïde nutrition "
    "albumine dénutrition orthophonie déglutition texture mixée orientation MDPH CDAPH maison accueil "
    "spécialisée allocation adulte handicapé tutelle curatelle juge contentieux protection notification "
    "décision validité recours évaluation autonomie GIR dépendance hébergement aide sociale département "
    "consultation neurologie troubles cognitifs mémoire démence Alzheimer psychiatrie anxiété sommeil"
).split()


def _documents(cur, og: int) -> str:
    """The classification plan and ten filed documents per person in a current séjour (reports, letters,
    notifications), each with a text of 300 words drawn from a medical and social vocabulary and its search
    vector, over three years; one in twenty a second version."""
    from documents.plan import PLAN_TYPE

    p = {"og": og}
    for rang, (code, libelle, categorie, confidentialite, annees, depart, loinc) in enumerate(PLAN_TYPE):
        cur.execute(
            """
            INSERT INTO documents_classedocument (organisme_id, public_id, cree_le, modifie_le, code, libelle,
                categorie, confidentialite, conservation_annees, conservation_depart, code_loinc, ordre, actif)
            VALUES (%(og)s, gen_random_uuid(), now(), now(), %(code)s, %(libelle)s, %(categorie)s, %(conf)s,
                    %(annees)s, %(depart)s, %(loinc)s, %(ordre)s, true)""",
            {**p, "code": code, "libelle": libelle, "categorie": str(categorie), "conf": confidentialite,
             "annees": annees, "depart": depart, "loinc": loinc, "ordre": rang * 10},
        )  # fmt: skip
    cur.execute(
        """
        WITH s AS (SELECT DISTINCT ON (s.usager_id) s.usager_id, s.etablissement_id, s.id AS sejour_id,
                          (SELECT h.professionnel_id FROM habilitations_habilitation h
                           WHERE h.etablissement_id = s.etablissement_id ORDER BY h.id LIMIT 1) AS auteur
                   FROM usagers_sejour s WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL
                   ORDER BY s.usager_id, s.id),
             c AS (SELECT id, categorie, libelle, code_loinc, row_number() OVER (ORDER BY ordre) - 1 AS rang
                   FROM documents_classedocument WHERE organisme_id = %(og)s),
             d AS (SELECT s.*, k, c.id AS classe_id, c.categorie, c.libelle, c.code_loinc,
                          (SELECT string_agg(mots[1 + ((s.usager_id * 7919 + k * 104729 + i * 31) %% array_length(mots, 1))], ' ')
                           FROM generate_series(1, 300) i) AS texte
                   FROM s CROSS JOIN generate_series(0, 9) k
                   CROSS JOIN (SELECT %(mots)s::text[] AS mots) m
                   JOIN c ON c.rang = (s.usager_id + k) %% 12)
        INSERT INTO documents_document (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            sejour_id, type_document, code_loinc, categorie, titre, fichier, type_mime, taille, sha256, objet_type,
            objet_id, version, remplace_id, options, auteur_id, statut, erreur, produit_le, origine, classe_id,
            date_document, source_libre, etiquettes, confidentialite, derniere_version, pages, indexation, texte,
            texte_ocr, recherche, apercu, vignette, en_erreur_motif, indexation_remarques)
        SELECT %(og)s, u, now() - (k * 110) * interval '1 day', now(), d.usager_id, d.etablissement_id,
               d.sejour_id, 'autre', d.code_loinc, d.categorie, d.libelle || ' n° ' || k, '', 'application/pdf',
               120000, '', 'documents.document', u, 1, NULL, '{}'::jsonb, d.auteur, 'disponible', '',
               now() - (k * 110) * interval '1 day', 'depose', d.classe_id, current_date - k * 110,
               'Centre hospitalier', ARRAY['bench'], 'normale', true, 2, 'faite', d.texte, false,
               setweight(to_tsvector('fr_dui', d.libelle), 'A') || setweight(to_tsvector('fr_dui', d.texte), 'B'),
               '', '', '', ''
        FROM d CROSS JOIN LATERAL (SELECT gen_random_uuid() AS u) g""",
        {**p, "mots": list(MOTS_DOCUMENTS)},
    )
    deposes = cur.rowcount
    return f"{deposes} documents déposés (texte et vecteur de recherche)"


def _relation(cur, og: int) -> str:
    """The relation usager (issue 19): for one person in two, a relative's account and access (her first
    relative, with the person's agreement) and two threads of six messages over the last months, the last
    message of one thread in three unread by the team; per ESMS and year, forty adverse events (half closed)
    and twelve complaints."""
    p = {"og": og}
    auteur = """(SELECT h.professionnel_id FROM habilitations_habilitation h
                 WHERE h.etablissement_id = s.etablissement_id ORDER BY h.id LIMIT 1)"""
    cur.execute(
        """
        WITH s AS (SELECT DISTINCT ON (s.usager_id) s.usager_id, s.etablissement_id
                   FROM usagers_sejour s WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL
                   ORDER BY s.usager_id, s.id)
        INSERT INTO relation_compteproche (organisme_id, public_id, cree_le, modifie_le, email, prenom, nom, password,
            actif, second_facteur, totp_secret, totp_dernier_pas, code_courriel_empreinte, identifiant_externe)
        SELECT %(og)s, gen_random_uuid(), now(), now(), 'proche-' || %(og)s || '-' || s.usager_id || '@bench.test',
               'Proche', 'Bench' || s.usager_id, '!', true, 'courriel', '', 0, '', ''
        FROM s WHERE s.usager_id %% 2 = 0""",
        p,
    )
    comptes = cur.rowcount
    cur.execute(
        f"""
        WITH s AS (SELECT DISTINCT ON (s.usager_id) s.usager_id, s.etablissement_id
                   FROM usagers_sejour s WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL
                   ORDER BY s.usager_id, s.id)
        INSERT INTO relation_accesportail (organisme_id, public_id, cree_le, modifie_le, usager_id, etablissement_id,
            proche_id, compte_id, qualite, statut, voir_projet, voir_agenda, voir_documents, messagerie,
            accord_personne_le, accord_modalite, accorde_par_id, motif)
        SELECT %(og)s, gen_random_uuid(), now(), now(), s.usager_id, s.etablissement_id,
               (SELECT min(p.id) FROM usagers_proche p WHERE p.usager_id = s.usager_id), c.id, 'proche', 'actif',
               true, true, true, true, current_date - 200, 'oralement', {auteur}, ''
        FROM s JOIN relation_compteproche c
             ON c.email = 'proche-' || %(og)s || '-' || s.usager_id || '@bench.test'""",
        p,
    )
    cur.execute(
        f"""
        INSERT INTO relation_fil (organisme_id, public_id, cree_le, modifie_le, acces_id, usager_id, etablissement_id,
            objet, referent_id, dernier_message_le, non_lus_equipe, clos_le)
        SELECT %(og)s, gen_random_uuid(), now() - k * interval '40 days', now(), a.id, a.usager_id, a.etablissement_id,
               CASE k WHEN 1 THEN 'Visite du dimanche' ELSE 'Linge et vêtements' END,
               CASE WHEN (a.id + k) %% 2 = 0 THEN {auteur.replace("s.etablissement_id", "a.etablissement_id")} END,
               now() - k * interval '40 days' + interval '5 days', CASE WHEN (a.id + k) %% 3 = 0 THEN 1 ELSE 0 END, NULL
        FROM relation_accesportail a CROSS JOIN generate_series(1, 2) k WHERE a.organisme_id = %(og)s""",
        p,
    )
    fils = cur.rowcount
    cur.execute(
        f"""
        INSERT INTO relation_message (organisme_id, public_id, cree_le, modifie_le, fil_id, auteur_compte_id,
            auteur_pro_id, texte, envoye_le, lu_le)
        SELECT %(og)s, gen_random_uuid(), now(), now(), f.id,
               CASE WHEN m %% 2 = 1 THEN a.compte_id END,
               CASE WHEN m %% 2 = 0 THEN {auteur.replace("s.etablissement_id", "f.etablissement_id")} END,
               'Bonjour, message ' || m || ' au sujet de ' || f.objet || '.',
               f.cree_le + m * interval '18 hours',
               CASE WHEN m < 6 OR f.non_lus_equipe = 0 THEN f.cree_le + m * interval '20 hours' END
        FROM relation_fil f JOIN relation_accesportail a ON a.id = f.acces_id
        CROSS JOIN generate_series(1, 6) m WHERE f.organisme_id = %(og)s""",
        p,
    )
    messages = cur.rowcount
    cur.execute(
        """
        INSERT INTO relation_evenementindesirable (organisme_id, public_id, cree_le, modifie_le, etablissement_id,
            usager_id, declarant_id, survenu_le, lieu, type_evenement, personnes_impliquees, description,
            actions_immediates, consequences, statut, gravite, causes, eigs, dysfonctionnement_grave,
            famille_informee, analyse_par_id, declare_ars_le, clos_le, bilan)
        SELECT %(og)s, gen_random_uuid(), now(), now(), e.id, NULL,
               (SELECT h.professionnel_id FROM habilitations_habilitation h WHERE h.etablissement_id = e.id
                ORDER BY h.id LIMIT 1),
               now() - k * interval '9 days', 'Chambre ' || k, (ARRAY['chute','medicament','soins','materiel'])[1 + k %% 4],
               '', 'Description de l''événement ' || k, 'Mesures immédiates', '',
               CASE WHEN k %% 2 = 0 THEN 'clos' ELSE 'en_analyse' END, 1 + k %% 4, 'Causes', false, false, true,
               NULL, NULL, CASE WHEN k %% 2 = 0 THEN now() - k * interval '5 days' END,
               CASE WHEN k %% 2 = 0 THEN 'Bilan' ELSE '' END
        FROM dui_etablissement e CROSS JOIN generate_series(1, 40) k WHERE e.organisme_id = %(og)s""",
        p,
    )
    evenements = cur.rowcount
    cur.execute(
        """
        INSERT INTO relation_reclamation (organisme_id, public_id, cree_le, modifie_le, etablissement_id, usager_id,
            acces_id, canal, auteur, coordonnees, recue_le, objet, description, statut, enregistree_par_id,
            accuse_le, "analyse", reponse, repondue_le, repondue_par_id, close_le)
        SELECT %(og)s, gen_random_uuid(), now(), now(), e.id, NULL, NULL, 'telephone', 'Famille ' || k, '',
               current_date - k * 25, 'Réclamation ' || k, 'Description', CASE WHEN k %% 3 = 0 THEN 'recue' ELSE 'close' END,
               NULL, current_date - k * 25 + 3, '', CASE WHEN k %% 3 = 0 THEN '' ELSE 'Réponse' END,
               CASE WHEN k %% 3 = 0 THEN NULL ELSE current_date - k * 25 + 20 END, NULL,
               CASE WHEN k %% 3 = 0 THEN NULL ELSE current_date - k * 25 + 21 END
        FROM dui_etablissement e CROSS JOIN generate_series(1, 12) k WHERE e.organisme_id = %(og)s""",
        p,
    )
    reclamations = cur.rowcount
    return (
        f"{comptes} comptes de proches, {fils} fils et {messages} messages, {evenements} événements indésirables, "
        f"{reclamations} réclamations"
    )


def _coordination(cur, og: int) -> str:
    """A year of agenda (issue 17), without double booking by construction (the exclusion constraints hold
    even without triggers): per ESMS a minibus and an activity room; per person an external rendez-vous
    every four weeks (14:00, a taxi for one in two, 13:15–16:00); for one person in three a weekly session in
    the morning (kinésithérapie, or a home visit in a SESSAD) with the ESMS's second professional, each on
    its own half-hour; three activities a week per ESMS (17:00, eight participants, attendance noted)."""
    p = {"og": og}
    paris = "AT TIME ZONE 'Europe/Paris'"
    cur.execute(
        """
        INSERT INTO coordination_ressource (organisme_id, public_id, cree_le, modifie_le, etablissement_id, genre,
            nom, places, active)
        SELECT e.organisme_id, gen_random_uuid(), now(), now(), e.id, r.genre, r.nom, r.places, true
        FROM dui_etablissement e
        CROSS JOIN (VALUES ('vehicule', 'Minibus', 8), ('salle', 'Salle d''activités', 20)) r(genre, nom, places)
        WHERE e.organisme_id = %(og)s""",
        p,
    )
    cur.execute("DROP TABLE IF EXISTS bench_personnes")
    cur.execute(
        """
        CREATE TEMP TABLE bench_personnes AS
        SELECT s.usager_id, s.etablissement_id, e.categorie,
               row_number() OVER (PARTITION BY s.etablissement_id ORDER BY s.usager_id) AS n,
               (SELECT h.professionnel_id FROM habilitations_habilitation h WHERE h.etablissement_id = e.id
                ORDER BY h.id LIMIT 1) AS pro1,
               -- a professional whose first habilitation is here: never the second of another ESMS
               (SELECT min(h.professionnel_id) FROM habilitations_habilitation h WHERE h.etablissement_id = e.id
                AND h.id = (SELECT min(h2.id) FROM habilitations_habilitation h2
                            WHERE h2.professionnel_id = h.professionnel_id)) AS pro2
        FROM usagers_sejour s JOIN dui_etablissement e ON e.id = s.etablissement_id
        WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL""",
        p,
    )
    colonnes = (
        "organisme_id, public_id, cree_le, modifie_le, motif_cloture, genre, genre_reunion, titre, lieu, debut, fin, "
        "statut, preparation, a_jeun, documents_a_apporter, dlu_a_imprimer, accompagnement_requis, compte_rendu, "
        "ordre_du_jour, capacite, ordre, exception, cree_par_id, etablissement_id, usager_id, ressource_id"
    )
    cur.execute(
        f"""
        INSERT INTO coordination_evenement ({colonnes})
        SELECT %(og)s, gen_random_uuid(), now(), now(), '', 'rdv_externe', '', 'Consultation de spécialiste',
               'Centre hospitalier', (d + time '14:00') {paris}, (d + time '15:00') {paris},
               CASE WHEN d < current_date THEN 'fait' ELSE 'prevu' END, '', b.n %% 5 = 0, '', b.n %% 3 = 0, false,
               '', '', NULL, NULL, false, b.pro1, b.etablissement_id, b.usager_id, NULL
        FROM bench_personnes b CROSS JOIN generate_series(-13, 1) k
        CROSS JOIN LATERAL (SELECT current_date + k * 28 + (b.n %% 28)::int AS d) j""",
        p,
    )
    externes = cur.rowcount
    cur.execute(
        """
        INSERT INTO coordination_transport (organisme_id, public_id, cree_le, modifie_le, evenement_id, mode,
            vehicule_id, conducteur_id, depart, retour, commentaire)
        SELECT organisme_id, gen_random_uuid(), now(), now(), id, 'taxi', NULL, NULL,
               debut - interval '45 minutes', fin + interval '1 hour', ''
        FROM coordination_evenement
        WHERE organisme_id = %(og)s AND genre = 'rdv_externe' AND usager_id %% 2 = 0""",
        p,
    )
    transports = cur.rowcount
    cur.execute(
        f"""
        INSERT INTO coordination_evenement ({colonnes})
        SELECT %(og)s, gen_random_uuid(), now(), now(), '',
               CASE WHEN b.categorie = 'SESSAD' THEN 'visite' ELSE 'rdv_interne' END, '',
               CASE WHEN b.categorie = 'SESSAD' THEN 'Séance à domicile' ELSE 'Kinésithérapie' END, '',
               (d + time '08:00' + ((b.n / 3)::int %% 40 / 5) * interval '30 minutes') {paris},
               (d + time '08:30' + ((b.n / 3)::int %% 40 / 5) * interval '30 minutes') {paris},
               CASE WHEN d < current_date THEN 'fait' ELSE 'prevu' END, '', false, '', false, false, '', '', NULL,
               NULL, false, b.pro1, b.etablissement_id, b.usager_id, NULL
        FROM bench_personnes b CROSS JOIN generate_series(-52, 4) w
        CROSS JOIN LATERAL (SELECT (date_trunc('week', current_date)::date + w * 7 + (b.n / 3)::int %% 5) AS d) j
        WHERE b.n %% 3 = 0 AND b.pro2 IS NOT NULL""",
        p,
    )
    seances = cur.rowcount
    cur.execute(
        f"""
        INSERT INTO coordination_evenement ({colonnes})
        SELECT %(og)s, gen_random_uuid(), now(), now(), '', 'activite', '', 'Atelier ' || (ARRAY['mémoire',
               'cuisine', 'gym douce'])[1 + j], '', (d + time '17:00') {paris}, (d + time '18:00') {paris},
               CASE WHEN d < current_date THEN 'fait' ELSE 'prevu' END, '', false, '', false, false, '', '', 10,
               NULL, false, e.pro1, e.etablissement_id, NULL, r.id
        FROM (SELECT DISTINCT etablissement_id, pro1 FROM bench_personnes) e
        JOIN coordination_ressource r ON r.etablissement_id = e.etablissement_id AND r.genre = 'salle'
        CROSS JOIN generate_series(-52, 4) w CROSS JOIN generate_series(0, 2) j
        CROSS JOIN LATERAL (SELECT date_trunc('week', current_date)::date + w * 7 + j * 2 AS d) x""",
        p,
    )
    activites = cur.rowcount
    cur.execute(
        """
        WITH a AS (SELECT ev.id, ev.etablissement_id, ev.debut, ev.fin, ev.statut,
                          row_number() OVER (PARTITION BY ev.etablissement_id ORDER BY ev.debut) AS rang
                   FROM coordination_evenement ev WHERE ev.organisme_id = %(og)s AND ev.genre = 'activite')
        INSERT INTO coordination_participation (organisme_id, public_id, cree_le, modifie_le, evenement_id,
            usager_id, etablissement_id, presence, action_id, prestation_id, note_par_id, note_le)
        SELECT %(og)s, gen_random_uuid(), now(), now(), a.id, b.usager_id, a.etablissement_id,
               CASE WHEN a.statut = 'prevu' THEN 'inscrit' WHEN (a.id + b.n) %% 10 = 0 THEN 'absent'
                    WHEN (a.id + b.n) %% 10 = 1 THEN 'excuse' ELSE 'present' END,
               NULL, NULL, CASE WHEN a.statut = 'prevu' THEN NULL ELSE b.pro1 END,
               CASE WHEN a.statut = 'prevu' THEN NULL ELSE a.fin END
        FROM a JOIN bench_personnes b ON b.etablissement_id = a.etablissement_id
             AND (b.n - 1) / 8 = (a.rang %% 10)""",
        p,
    )
    participations = cur.rowcount
    # the bookings: the person (its transport included), the session's professional, the room, the participants
    cur.execute(
        """
        INSERT INTO coordination_reservation (organisme_id, public_id, cree_le, modifie_le, evenement_id, periode,
            usager_id, professionnel_id, ressource_id, active)
        SELECT ev.organisme_id, gen_random_uuid(), now(), now(), ev.id,
               tstzrange(least(ev.debut, t.depart), greatest(ev.fin, t.retour)), ev.usager_id, NULL::bigint,
               NULL::bigint, true
        FROM coordination_evenement ev LEFT JOIN coordination_transport t ON t.evenement_id = ev.id
        WHERE ev.organisme_id = %(og)s AND ev.usager_id IS NOT NULL
        UNION ALL
        SELECT ev.organisme_id, gen_random_uuid(), now(), now(), ev.id, tstzrange(ev.debut, ev.fin), NULL, b.pro2, NULL,
               true
        FROM coordination_evenement ev JOIN bench_personnes b ON b.usager_id = ev.usager_id
        WHERE ev.organisme_id = %(og)s AND ev.genre IN ('rdv_interne', 'visite')
        UNION ALL
        SELECT ev.organisme_id, gen_random_uuid(), now(), now(), ev.id, tstzrange(ev.debut, ev.fin), NULL, NULL,
               ev.ressource_id, true
        FROM coordination_evenement ev WHERE ev.organisme_id = %(og)s AND ev.genre = 'activite'
        UNION ALL
        SELECT pa.organisme_id, gen_random_uuid(), now(), now(), ev.id, tstzrange(ev.debut, ev.fin), pa.usager_id,
               NULL, NULL, true
        FROM coordination_participation pa JOIN coordination_evenement ev ON ev.id = pa.evenement_id
        WHERE pa.organisme_id = %(og)s""",
        p,
    )
    reservations = cur.rowcount
    cur.execute("DROP TABLE bench_personnes")
    return (
        f"agenda : {externes} rendez-vous extérieurs ({transports} transports), {seances} séances ou visites, "
        f"{activites} activités ({participations} participations), {reservations} réservations"
    )


def journal(organisme_numero: int, jours: int, par_personne: int = 15) -> str:
    """The access journal of ``jours`` days (``--journal``): what the pages write when they show a person,
    ``par_personne`` rows a day for each person in a current séjour (the relève and the day plan of three shifts,
    a few dossier tabs), by a professional of the person's ESMS, between 6:00 and 22:00 — 8.8 million rows a
    year at the large organisme. Read by the DPO's journal, right-of-access and unusual-access pages; every page
    that shows a person inserts into it."""
    finess, _, _ = identite(organisme_numero)
    t = time.perf_counter()
    with transaction.atomic():
        og = OrganismeGestionnaire.objects.get(finess_juridique=finess)
        with tenant_context(og.pk), connection.cursor() as cur:
            cur.execute(
                """
                WITH s AS (
                    SELECT DISTINCT ON (s.usager_id) s.usager_id, u.public_id, s.etablissement_id,
                           (SELECT array_agg(h.professionnel_id ORDER BY h.id) FROM habilitations_habilitation h
                            WHERE h.etablissement_id = s.etablissement_id) AS pros
                    FROM usagers_sejour s JOIN usagers_usager u ON u.id = s.usager_id
                    WHERE s.organisme_id = %(og)s AND s.date_sortie IS NULL ORDER BY s.usager_id, s.id)
                INSERT INTO dui_journalacces (organisme_id, horodatage, professionnel_id, type_acces, objet_type,
                    objet_id, libelle, etablissement_id, adresse_ip, chemin)
                SELECT %(og)s,
                       date_trunc('day', now()) - make_interval(days => j.n)
                           + make_interval(hours => 6 + (k.n * 16) / %(par)s, mins => ((s.usager_id + k.n) %% 60)::int),
                       s.pros[1 + (s.usager_id + j.n * 7 + k.n) %% array_length(s.pros, 1)],
                       'lecture', 'usagers.usager', s.public_id,
                       CASE k.n %% 3 WHEN 0 THEN 'Relève — Unité' WHEN 1 THEN 'Plan de soins du jour — Unité'
                                     ELSE 'Dossier — Identité' END,
                       s.etablissement_id, '10.0.0.1', '/usagers/' || s.public_id || '/'
                FROM s, generate_series(1, %(jours)s) j(n), generate_series(0, %(par)s - 1) k(n)
                WHERE s.pros IS NOT NULL""",
                {"og": og.pk, "jours": jours, "par": par_personne},
            )
            lignes = cur.rowcount
    return f"Journal des accès : {lignes} lignes sur {jours} jours en {time.perf_counter() - t:.0f} s"


def _chrono(seuil: float):  # noqa: ANN202
    """An execute wrapper printing each statement slower than ``seuil`` seconds (where the load's time goes)."""

    def wrapper(execute, sql, params, many, context):  # noqa: ANN001, ANN202
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            duree = time.perf_counter() - t
            if duree >= seuil:
                table = re.search(r"INSERT INTO (\w+)", sql) or re.search(
                    r"(?:UPDATE|INTO|INDEX ON|^)\s*(\w+)", sql
                )
                nom = table.group(1) if table else "?"
                print(f"  {duree:7.1f} s  {nom}", flush=True)

    return wrapper


# The tables of a year of care and the access journal (``--journal``): millions of rows each (one organisme), and
# up to 13 indexes on random UUIDs.
TABLES_VOLUMINEUSES = (
    "dui_journalacces",
    "soins_realisationsoin",
    "soins_transmission",
    "soins_constante",
    "medicaments_doseplanifiee",
    "medicaments_administration",
)
INDEX_DIFFERES = (
    Path(__file__).resolve().parent.parent
    / ".local"
    / f"bench-index-differes-{connection.settings_dict['NAME']}.sql"
)


def _differer_index() -> None:
    """Drop the secondary indexes of ``TABLES_VOLUMINEUSES`` for the load (their definitions are written to
    ``INDEX_DIFFERES`` first, one file per database, so that an interrupted run rebuilds them at its next start): maintaining a dozen
    indexes row by row over random UUIDs costs more than building them once at the end. Primary keys and the
    constraints a foreign key relies on stay. Owner connection (only the owner may drop an index), bench only."""
    from django.db import connections

    with connections["owner"].cursor() as cur:
        cur.execute(
            """
            SELECT i.relname, c.relname, con.conname,
                   COALESCE('ALTER TABLE ' || quote_ident(c.relname) || ' ADD CONSTRAINT ' || quote_ident(con.conname)
                            || ' ' || pg_get_constraintdef(con.oid), pg_get_indexdef(i.oid))
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class c ON c.oid = x.indrelid
            LEFT JOIN pg_constraint con ON con.conindid = i.oid AND con.conrelid = c.oid
            WHERE c.relname = ANY(%s) AND c.relnamespace = 'public'::regnamespace AND NOT x.indisprimary
              AND (con.oid IS NULL OR con.contype = 'u')
              AND NOT EXISTS (SELECT 1 FROM pg_constraint fk WHERE fk.contype = 'f' AND fk.conindid = i.oid)
            ORDER BY c.relname, i.relname""",
            [list(TABLES_VOLUMINEUSES)],
        )
        index = cur.fetchall()
        INDEX_DIFFERES.parent.mkdir(exist_ok=True)
        INDEX_DIFFERES.write_text("".join(f"{definition};\n" for *_, definition in index))
        for nom, table, contrainte, _ in index:
            if contrainte:
                cur.execute(f"ALTER TABLE {table} DROP CONSTRAINT {contrainte}")
            else:
                cur.execute(f"DROP INDEX {nom}")
    print(f"{len(index)} index des tables volumineuses différés ({INDEX_DIFFERES})", flush=True)


def _reconstruire_index() -> None:
    """Build the indexes ``_differer_index`` dropped (parallel builds, more memory per sort)."""
    from django.db import connections

    if not INDEX_DIFFERES.exists():
        return
    t = time.perf_counter()
    definitions = [d for d in INDEX_DIFFERES.read_text().split(";\n") if d.strip()]
    with connections["owner"].cursor() as cur:
        cur.execute("SET maintenance_work_mem = '512MB'")
        for definition in definitions:
            cur.execute(definition)
    INDEX_DIFFERES.unlink()
    print(f"{len(definitions)} index reconstruits en {time.perf_counter() - t:.0f} s", flush=True)


def analyser() -> None:
    """Fresh planner statistics after a bulk load (only the owner of the tables may ANALYZE them)."""
    from django.db import connections

    with connections["owner"].cursor() as cur:
        cur.execute("ANALYZE")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--etablissements", type=int, default=20)
    parser.add_argument("--professionnels", type=int, default=3000)
    parser.add_argument("--usagers", type=int, default=1600)
    parser.add_argument(
        "--domaines",
        choices=["tous", "documents", "relation"],
        default="tous",
        help="documents / relation: the organisme with its persons and only their filed documents (issue 18) "
        "or only their relatives' accounts, messages, complaints and adverse events (issue 19); quick",
    )
    parser.add_argument(
        "--organismes", type=int, default=1, help="organismes of this size (the first is measured)"
    )
    parser.add_argument(
        "--chrono", type=float, default=0, metavar="S", help="print every statement slower than S seconds"
    )
    parser.add_argument(
        "--journal",
        type=int,
        default=0,
        metavar="JOURS",
        help="also write JOURS days of the access journal to each organisme (15 rows a day per person: "
        "365 → 8.8 million rows, a few minutes); also on an existing bench organisme",
    )
    args = parser.parse_args()
    debut = time.perf_counter()
    _reconstruire_index()  # an interrupted run's, if any
    if _APP_ROLE:
        _differer_index()
    try:
        for numero in range(1, args.organismes + 1):
            t = time.perf_counter()
            with (
                connection.execute_wrapper(_chrono(args.chrono)) if args.chrono else contextlib.nullcontext()
            ):
                generate(args.etablissements, args.professionnels, args.usagers, numero, args.domaines)
                if args.journal:
                    print(journal(numero, args.journal), flush=True)
            print(f"Organisme {numero} : {time.perf_counter() - t:.0f} s", flush=True)
    finally:
        _reconstruire_index()
    analyser()
    print(
        f"Fini en {time.perf_counter() - debut:.0f} s"
        + (" (sans déclencheurs : DATABASE_ADMIN_URL)" if _APP_ROLE else " (avec déclencheurs)"),
        flush=True,
    )
