"""Backup and restore of the DUI: the database (pg_dump, custom format) and the media folder, timestamped,
checksummed, and a restore that checks what it restored.

    python scripts/sauvegarde.py sauvegarder --base URL_SAUVEGARDE --medias DOSSIER --destination DOSSIER
    python scripts/sauvegarde.py restaurer ARCHIVE --admin URL_ADMIN --proprietaire URL --application URL \
        [--sauvegarde URL] [--medias DOSSIER]
    python scripts/sauvegarde.py verifier ARCHIVE --admin URL_ADMIN_DE_LA_BASE --application URL

Why a backup role and not the owner: every tenant table has FORCE ROW LEVEL SECURITY, so the owner itself
sees no row without a tenant, and pg_dump refuses to dump under a policy. The backup role
(``dui_sauvegarde``, created by ``provision_db.py``) may read everything (``pg_read_all_data``, BYPASSRLS)
and write nothing; its password belongs on the backup host only. The restore runs as the owner into a
database that ``provision_db.py`` prepares (roles are cluster objects, not in a dump): data is loaded
before the dump's post-data section switches row-level security and the append-only triggers back on.

The archive is a folder ``dui-AAAAMMJJTHHMMSSZ`` holding ``base.dump``, ``medias.tar.gz``,
``manifeste.json`` (row counts, tables under forced RLS, append-only triggers, rows per organisme of the
persons table) and ``SHA256SUMS``. ``verifier`` compares a restored database with the manifest and logs
in as the application role to read under RLS.
"""

from __future__ import annotations

import argparse
import datetime
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql

RACINE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(RACINE / "scripts"))

TABLE_TEMOIN = "usagers_usager"  # read by the application role after a restore, tenant by tenant


class EchecSauvegarde(Exception):
    """A step failed; the message is French and says which."""


def outil(nom: str) -> str:
    """``pg_dump`` / ``pg_restore`` of the newest installed PostgreSQL (a dump needs a client at least as
    recent as the server)."""
    candidats = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{nom}"), key=lambda p: int(p.split("/")[4]))
    if os.environ.get("DUI_PG_BINDIR"):
        candidats.append(str(Path(os.environ["DUI_PG_BINDIR"]) / nom))
    if candidats:
        return candidats[-1]
    trouve = shutil.which(nom)
    if not trouve:
        raise EchecSauvegarde(f"{nom} est introuvable : installez le client PostgreSQL.")
    return trouve


def _env_pg(url: str) -> dict[str, str]:
    """libpq environment for a URL (the password never appears on a command line)."""
    u = urlparse(url)
    env = dict(os.environ)
    env.update(
        PGHOST=u.hostname or "127.0.0.1",
        PGPORT=str(u.port or 5432),
        PGUSER=unquote(u.username or ""),
        PGDATABASE=u.path.lstrip("/"),
    )
    if u.password:
        env["PGPASSWORD"] = unquote(u.password)
    return env


def _executer(commande: list[str], url: str) -> None:
    resultat = subprocess.run(commande, env=_env_pg(url), capture_output=True, text=True)
    if resultat.returncode != 0:
        raise EchecSauvegarde(f"{Path(commande[0]).name} a échoué : {resultat.stderr.strip()[-2000:]}")


def _empreinte(chemin: Path) -> str:
    h = hashlib.sha256()
    with chemin.open("rb") as f:
        for bloc in iter(lambda: f.read(1 << 20), b""):
            h.update(bloc)
    return h.hexdigest()


def etat_de_la_base(url: str) -> dict:
    """Row counts of every table, tables under forced RLS, append-only triggers, persons per organisme —
    read with a role that sees every row (the backup role, or a superuser)."""
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT c.relname, c.relrowsecurity AND c.relforcerowsecurity FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "ORDER BY c.relname"
        )
        tables = cur.fetchall()
        comptes = {}
        for nom, _rls in tables:
            cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(nom)))
            comptes[nom] = cur.fetchone()[0]
        cur.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND NOT t.tgisinternal AND t.tgname LIKE '%%_append_only' ORDER BY 1"
        )
        declencheurs = [r[0] for r in cur.fetchall()]
        par_organisme: dict[str, int] = {}
        if TABLE_TEMOIN in comptes:
            cur.execute(
                sql.SQL("SELECT organisme_id, count(*) FROM {} GROUP BY 1").format(
                    sql.Identifier(TABLE_TEMOIN)
                )
            )
            par_organisme = {str(o): n for o, n in cur.fetchall()}
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    return {
        "comptes": comptes,
        "rls_forcee": [nom for nom, rls in tables if rls],
        "ajout_seul": declencheurs,
        "temoin_par_organisme": par_organisme,
        "version_serveur": version,
    }


def sauvegarder(
    base_url: str, medias: Path, destination: Path, maintenant: datetime.datetime | None = None
) -> Path:
    """One timestamped, checksummed archive of the database and the media folder."""
    maintenant = maintenant or datetime.datetime.now(datetime.UTC)
    archive = destination / f"dui-{maintenant:%Y%m%dT%H%M%SZ}"
    if archive.exists():
        raise EchecSauvegarde(f"L'archive {archive} existe déjà.")
    archive.mkdir(parents=True)
    try:
        manifeste = etat_de_la_base(base_url)
        _executer(
            [outil("pg_dump"), "--format=custom", "--compress=6", "--file", str(archive / "base.dump")],
            base_url,
        )
        with tarfile.open(archive / "medias.tar.gz", "w:gz") as tar:
            if medias.exists():
                tar.add(medias, arcname="medias")
        manifeste["cree_le"] = maintenant.isoformat()
        manifeste["base"] = urlparse(base_url).path.lstrip("/")
        (archive / "manifeste.json").write_text(json.dumps(manifeste, indent=2, sort_keys=True))
        sommes = [f"{_empreinte(archive / n)}  {n}" for n in ("base.dump", "medias.tar.gz", "manifeste.json")]
        (archive / "SHA256SUMS").write_text("\n".join(sommes) + "\n")
    except BaseException:
        shutil.rmtree(archive, ignore_errors=True)  # never a half-written archive that looks complete
        raise
    return archive


def verifier_empreintes(archive: Path) -> None:
    fichier = archive / "SHA256SUMS"
    if not fichier.exists():
        raise EchecSauvegarde(f"{archive} n'a pas de fichier SHA256SUMS : archive incomplète.")
    for ligne in fichier.read_text().splitlines():
        attendu, nom = ligne.split("  ", 1)
        chemin = archive / nom
        if not chemin.exists() or _empreinte(chemin) != attendu:
            raise EchecSauvegarde(f"Empreinte incorrecte pour {nom} : archive altérée ou incomplète.")


def restaurer(
    archive: Path,
    admin_url: str,
    proprietaire_url: str,
    application_url: str,
    sauvegarde_url: str | None = None,
    medias: Path | None = None,
) -> None:
    """Restore into an empty database of a (fresh) cluster: roles and database first (provision_db), then
    the dump as the owner, then the media folder."""
    import provision_db

    verifier_empreintes(archive)
    base = urlparse(proprietaire_url).path.lstrip("/")
    with psycopg.connect(admin_url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [base])
        if cur.fetchone():
            with psycopg.connect(admin_url.rsplit("/", 1)[0] + "/" + base) as c2, c2.cursor() as cur2:
                cur2.execute(
                    "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'public' AND c.relkind = 'r'"
                )
                if cur2.fetchone()[0]:
                    raise EchecSauvegarde(
                        f"La base « {base} » n'est pas vide : restaurez dans une base neuve."
                    )
    provision_db.main(
        admin_url, proprietaire_url, application_url, *([sauvegarde_url] if sauvegarde_url else [])
    )
    _executer(
        [
            outil("pg_restore"),
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-comments",
            "--dbname",
            base,
            str(archive / "base.dump"),
        ],
        proprietaire_url,
    )
    if medias is not None:
        medias.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive / "medias.tar.gz", "r:gz") as tar:
            membres = [m for m in tar.getmembers() if m.name == "medias" or m.name.startswith("medias/")]
            for m in membres:
                m.name = m.name.removeprefix("medias").lstrip("/") or "."
            tar.extractall(medias, members=membres, filter="data")


def verifier(archive: Path, admin_base_url: str, application_url: str) -> list[str]:
    """What differs between the restored database and the manifest (empty: the restore is good)."""
    attendu = json.loads((archive / "manifeste.json").read_text())
    obtenu = etat_de_la_base(admin_base_url)
    problemes = []
    for table, nombre in attendu["comptes"].items():
        if obtenu["comptes"].get(table) != nombre:
            problemes.append(f"{table} : {obtenu['comptes'].get(table)} lignes au lieu de {nombre}")
    if set(obtenu["rls_forcee"]) != set(attendu["rls_forcee"]):
        problemes.append(
            "Tables sous RLS forcée différentes : "
            f"{sorted(set(attendu['rls_forcee']) ^ set(obtenu['rls_forcee']))}"
        )
    if set(obtenu["ajout_seul"]) != set(attendu["ajout_seul"]):
        problemes.append(
            f"Déclencheurs d'ajout seul différents : {sorted(set(attendu['ajout_seul']) ^ set(obtenu['ajout_seul']))}"
        )
    # the application role logs in, sees nothing without a tenant, and its tenant's rows with one
    with psycopg.connect(application_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user")
        if cur.fetchone()[0]:
            problemes.append("Le rôle applicatif contourne la RLS après restauration.")
        cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(TABLE_TEMOIN)))
        if cur.fetchone()[0] != 0:
            problemes.append("Sans organisme, le rôle applicatif voit des personnes : RLS inopérante.")
        for organisme, nombre in attendu["temoin_par_organisme"].items():
            with conn.transaction():
                cur.execute("SELECT set_config('app.organisme_id', %s, true)", [organisme])
                cur.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(TABLE_TEMOIN)))
                vu = cur.fetchone()[0]
            if vu != nombre:
                problemes.append(
                    f"Organisme {organisme} : le rôle applicatif voit {vu} personnes au lieu de {nombre}"
                )
    return problemes


def _port_libre() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ClusterNeuf:
    """A fresh PostgreSQL cluster (initdb) in a temporary folder, on a free loopback port: the target of
    the restore drill, as a replacement server would be."""

    def __init__(self) -> None:
        import tempfile

        import services

        self.services = services
        # its own folder under the system temporary directory, given to the user that runs PostgreSQL
        self.dossier = Path(tempfile.mkdtemp(prefix="dui-cluster-"))
        self.bindir = services.pg_bindir()
        if self.bindir is None:
            raise EchecSauvegarde(
                "initdb est introuvable : l'exercice a besoin des binaires du serveur PostgreSQL."
            )
        self.port = _port_libre()
        self.superuser = "postgres"

    def __enter__(self) -> ClusterNeuf:
        data = self.dossier / "data"
        data.mkdir()
        self.services._chown_for_db(self.dossier)
        for commande in (
            [
                str(self.bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                self.superuser,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ],
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(self.dossier / "postgres.log"),
                "-w",
                "-o",
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dossier}",
                "start",
            ],
        ):
            resultat = subprocess.run(self.services._as_db_user(commande), capture_output=True, text=True)
            if resultat.returncode != 0:
                raise EchecSauvegarde(f"Cluster neuf impossible : {resultat.stderr.strip()[-1000:]}")
        return self

    def url(self, utilisateur: str, base: str, mot_de_passe: str = "") -> str:
        secret = f":{mot_de_passe}" if mot_de_passe else ""
        return f"postgres://{utilisateur}{secret}@127.0.0.1:{self.port}/{base}"

    def __exit__(self, *exc: object) -> None:
        subprocess.run(
            self.services._as_db_user(
                [str(self.bindir / "pg_ctl"), "-D", str(self.dossier / "data"), "-m", "fast", "stop"]
            ),
            capture_output=True,
        )
        shutil.rmtree(self.dossier, ignore_errors=True)


def _remplacer_hote(url: str, cluster: ClusterNeuf, base: str) -> str:
    u = urlparse(url)
    return cluster.url(unquote(u.username or ""), base, unquote(u.password or ""))


def exercice(
    source_url: str, proprietaire_url: str, application_url: str, medias: Path, travail: Path
) -> dict:
    """The drill: back up the database and the media folder, restore both into a fresh cluster, check the
    restored database against the manifest. Returns the timings (what a restore costs: the RTO's floor)."""
    import time

    debut = time.monotonic()
    archive = sauvegarder(source_url, medias, travail / "archives")
    duree_sauvegarde = time.monotonic() - debut
    base = "dui_restauree"
    with ClusterNeuf() as cluster:
        admin = cluster.url(cluster.superuser, "postgres")
        proprietaire = _remplacer_hote(proprietaire_url, cluster, base)
        application = _remplacer_hote(application_url, cluster, base)
        sauvegarde = _remplacer_hote(source_url, cluster, base)
        debut = time.monotonic()
        restaurer(archive, admin, proprietaire, application, sauvegarde, travail / "medias")
        duree_restauration = time.monotonic() - debut
        problemes = verifier(archive, cluster.url(cluster.superuser, base), application)
    return {
        "archive": archive,
        "problemes": problemes,
        "sauvegarde_s": round(duree_sauvegarde, 2),
        "restauration_s": round(duree_restauration, 2),
        "lignes": sum(json.loads((archive / "manifeste.json").read_text())["comptes"].values()),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sous = parser.add_subparsers(dest="commande", required=True)
    s = sous.add_parser("sauvegarder")
    s.add_argument(
        "--base",
        default=os.environ.get("DATABASE_BACKUP_URL"),
        required="DATABASE_BACKUP_URL" not in os.environ,
    )
    s.add_argument("--medias", type=Path, default=Path(os.environ.get("DUI_MEDIA_ROOT", RACINE / "media")))
    s.add_argument("--destination", type=Path, required=True)
    r = sous.add_parser("restaurer")
    r.add_argument("archive", type=Path)
    r.add_argument("--admin", required=True)
    r.add_argument("--proprietaire", required=True)
    r.add_argument("--application", required=True)
    r.add_argument("--sauvegarde")
    r.add_argument("--medias", type=Path)
    v = sous.add_parser("verifier")
    v.add_argument("archive", type=Path)
    v.add_argument("--admin", required=True, help="superutilisateur, sur la base restaurée")
    v.add_argument("--application", required=True)
    e = sous.add_parser("exercice", help="sauvegarde, restauration dans un cluster neuf, vérification")
    e.add_argument("--base", default=os.environ.get("DATABASE_BACKUP_URL"))
    e.add_argument("--proprietaire", default=os.environ.get("DATABASE_OWNER_URL"))
    e.add_argument("--application", default=os.environ.get("DATABASE_URL"))
    e.add_argument("--medias", type=Path, default=Path(os.environ.get("DUI_MEDIA_ROOT", RACINE / "media")))
    args = parser.parse_args(argv)
    try:
        if args.commande == "sauvegarder":
            archive = sauvegarder(args.base, args.medias, args.destination)
            print(f"Sauvegarde terminée : {archive}")
        elif args.commande == "exercice":
            import tempfile

            with tempfile.TemporaryDirectory(prefix="dui-exercice-") as dossier:
                bilan = exercice(args.base, args.proprietaire, args.application, args.medias, Path(dossier))
            for p in bilan["problemes"]:
                print(f"ÉCART : {p}", file=sys.stderr)
            print(
                f"Exercice : {bilan['lignes']} lignes sauvegardées en {bilan['sauvegarde_s']} s, restaurées "
                f"dans un cluster neuf en {bilan['restauration_s']} s ; "
                + ("conforme." if not bilan["problemes"] else f"{len(bilan['problemes'])} écart(s).")
            )
            return 1 if bilan["problemes"] else 0
        elif args.commande == "restaurer":
            restaurer(
                args.archive, args.admin, args.proprietaire, args.application, args.sauvegarde, args.medias
            )
            print(f"Restauration terminée depuis {args.archive}")
        else:
            problemes = verifier(args.archive, args.admin, args.application)
            for p in problemes:
                print(f"ÉCART : {p}", file=sys.stderr)
            if problemes:
                return 1
            print("Base restaurée conforme au manifeste (lignes, RLS forcée, ajout seul, rôle applicatif).")
    except EchecSauvegarde as exc:
        print(f"Échec : {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
