"""Embedded services for a fresh machine: a project-local PostgreSQL cluster and a Celery broker.

    python scripts/services.py env     # prints `export VAR=...` lines for the shell (starts what is needed)
    python scripts/services.py stop    # stops the project-local PostgreSQL and Redis

Choices, in order (printed on stderr so the user knows what runs):
- PostgreSQL: ``DATABASE_URL`` (+ ``DATABASE_OWNER_URL``) if set; otherwise a cluster under
  ``.local/pg`` (port 54329) made with the PostgreSQL binaries of ``DUI_PG_BINDIR``, else the
  system's, else those of the pip-installable ``pgserver`` package.
- Broker: ``CELERY_BROKER_URL`` if set; otherwise a project-local ``redis-server`` (port 63799) if the
  binary exists; otherwise kombu's filesystem transport under ``.local/broker`` (tasks still run in
  the worker process).
Standard library only: it runs before the virtualenv has the project's packages.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
PG_DIR = LOCAL / "pg"
PG_PORT = int(os.environ.get("DUI_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("DUI_REDIS_PORT", "63799"))


def say(message: str) -> None:
    print(f"[dui] {message}", file=sys.stderr)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def pg_bindir() -> Path | None:
    if os.environ.get("DUI_PG_BINDIR"):
        return Path(os.environ["DUI_PG_BINDIR"])
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True).stdout.strip()
        if out and (Path(out) / "initdb").exists():
            return Path(out)
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if candidates:
        return Path(candidates[-1]).parent
    if shutil.which("initdb"):
        return Path(shutil.which("initdb")).resolve().parent
    try:  # pip-installable server
        import pgserver  # type: ignore

        bindir = Path(pgserver.__file__).parent / "pginstall" / "bin"
        if (bindir / "initdb").exists():
            return bindir
    except ImportError:
        pass
    return None


def _as_db_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its commands as the ``postgres`` (or ``nobody``) user."""
    if os.geteuid() != 0:
        return cmd
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return ["runuser", "-u", name, "--", *cmd]
    raise SystemExit("Impossible de lancer PostgreSQL en root sans utilisateur « postgres » ou « nobody ».")


def _chown_for_db(path: Path) -> None:
    if os.geteuid() == 0:
        for name in ("postgres", "nobody"):
            try:
                entry = pwd.getpwnam(name)
            except KeyError:
                continue
            for p in [path, *path.rglob("*")]:
                os.chown(p, entry.pw_uid, entry.pw_gid)
            return


def ensure_postgres() -> str:
    """Start the project-local cluster if needed; return a superuser URL to it."""
    superuser = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    admin_url = f"postgres://{superuser}@127.0.0.1:{PG_PORT}/postgres"
    if port_open(PG_PORT):
        return admin_url
    bindir = pg_bindir()
    if bindir is None:
        say("Aucun PostgreSQL système : installation du serveur PostgreSQL « pgserver » (pip)…")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pgserver"], check=True)
        bindir = pg_bindir()
        if bindir is None:
            raise SystemExit("PostgreSQL introuvable : installez-le ou définissez DATABASE_URL.")
    data = PG_DIR / "data"
    PG_DIR.mkdir(parents=True, exist_ok=True)
    if not (data / "PG_VERSION").exists():
        say(f"Création du cluster PostgreSQL local ({bindir}) dans {data}")
        data.mkdir(parents=True, exist_ok=True)
        _chown_for_db(PG_DIR)
        subprocess.run(
            _as_db_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    superuser,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    _chown_for_db(PG_DIR)
    say(f"Démarrage de PostgreSQL local sur 127.0.0.1:{PG_PORT}")
    subprocess.run(
        _as_db_user(
            [
                str(bindir / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(PG_DIR / "postgres.log"),
                "-w",
                "-o",
                f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -k {PG_DIR}",
                "start",
            ]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return admin_url


def ensure_broker() -> str:
    if port_open(REDIS_PORT):
        return f"redis://127.0.0.1:{REDIS_PORT}/0"
    redis = shutil.which("redis-server")
    if redis:
        (LOCAL / "redis").mkdir(parents=True, exist_ok=True)
        say(f"Démarrage d'un redis-server local sur 127.0.0.1:{REDIS_PORT}")
        subprocess.run(
            [
                redis,
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                str(REDIS_PORT),
                "--dir",
                str(LOCAL / "redis"),
                "--save",
                "",
                "--appendonly",
                "no",
                "--pidfile",
                str(LOCAL / "redis" / "redis.pid"),
                "--logfile",
                str(LOCAL / "redis" / "redis.log"),
            ],
            check=True,
        )
        for _ in range(50):
            if port_open(REDIS_PORT):
                break
            time.sleep(0.1)
        return f"redis://127.0.0.1:{REDIS_PORT}/0"
    say("Pas de redis-server : courtier Celery embarqué (transport « filesystem » de kombu, .local/broker)")
    return "filesystem://"


def env() -> None:
    exports: dict[str, str] = {}
    if os.environ.get("DATABASE_URL"):
        if not os.environ.get("DATABASE_OWNER_URL"):
            raise SystemExit(
                "DATABASE_URL est défini : définissez aussi DATABASE_OWNER_URL (rôle propriétaire "
                "qui applique les migrations ; il doit différer du rôle applicatif)."
            )
        say("PostgreSQL : DATABASE_URL / DATABASE_OWNER_URL fournis")
    else:
        admin_url = os.environ.get("DATABASE_ADMIN_URL") or ensure_postgres()
        host_port = admin_url.split("@", 1)[1].rsplit("/", 1)[0]
        name = os.environ.get("DUI_DB_NAME", "dui")
        exports["DATABASE_ADMIN_URL"] = admin_url
        exports["DATABASE_URL"] = f"postgres://dui_app:dui_app@{host_port}/{name}"
        exports["DATABASE_OWNER_URL"] = f"postgres://dui_owner:dui_owner@{host_port}/{name}"
        exports["DATABASE_BACKUP_URL"] = f"postgres://dui_sauvegarde:dui_sauvegarde@{host_port}/{name}"
        say(f"PostgreSQL : {host_port}, base « {name} » (rôles dui_owner / dui_app)")
    if os.environ.get("CELERY_BROKER_URL"):
        say(f"Courtier Celery : {os.environ['CELERY_BROKER_URL']}")
    else:
        exports["CELERY_BROKER_URL"] = ensure_broker()
    for key, value in exports.items():
        print(f"export {key}='{value}'")


def stop() -> None:
    bindir = pg_bindir()
    if bindir and (PG_DIR / "data" / "postmaster.pid").exists():
        subprocess.run(
            _as_db_user([str(bindir / "pg_ctl"), "-D", str(PG_DIR / "data"), "-m", "fast", "stop"])
        )
    pid = LOCAL / "redis" / "redis.pid"
    if pid.exists():
        subprocess.run(["kill", pid.read_text().strip()])


if __name__ == "__main__":
    {"env": env, "stop": stop}.get(sys.argv[1] if len(sys.argv) > 1 else "", lambda: sys.exit(__doc__))()
