"""Create the DUI's two PostgreSQL roles and its database, idempotently.

    python scripts/provision_db.py ADMIN_URL OWNER_URL APP_URL [BACKUP_URL]

ADMIN_URL is a superuser (or CREATEROLE + CREATEDB) connection used only here. The owner role owns the
database and runs the migrations (CREATEDB so that the test runner can create test databases); the
application role logs in with neither superuser, BYPASSRLS nor ownership, so row-level security
applies to it. The optional backup role reads every row of every table (BYPASSRLS, ``pg_read_all_data``)
and writes nothing: pg_dump needs it, since FORCE ROW LEVEL SECURITY hides every row from the owner too
(``scripts/sauvegarde.py``).
"""

from __future__ import annotations

import sys
from urllib.parse import unquote, urlparse

import psycopg
from psycopg import sql


def parts(url: str) -> dict:
    """The connection parameters of a URL, libpq's multi-host form included (a pg_auto_failover cluster:
    ``host1:port1,host2:port2``, with ``target_session_attrs`` kept so that the primary is the one reached)."""
    u = urlparse(url)
    if "," in u.netloc.rpartition("@")[2]:
        sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
        from dui.bases import config_multi_hotes

        c = config_multi_hotes(url)
        return {"user": c["USER"], "password": c["PASSWORD"], "dbname": c["NAME"], "host": c["HOST"],
                "port": c["PORT"], **c["OPTIONS"]}  # fmt: skip
    return {
        "user": unquote(u.username or ""),
        "password": unquote(u.password or ""),
        "dbname": u.path.lstrip("/"),
        "host": u.hostname,
        "port": u.port or 5432,
    }


def ensure_role(cur, name: str, password: str, extra: str) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cur.fetchone() else "CREATE"
    cur.execute(
        sql.SQL(f"{verb} ROLE {{}} LOGIN PASSWORD {{}} NOSUPERUSER NOBYPASSRLS {extra}").format(
            sql.Identifier(name), sql.Literal(password)
        )
    )


def ensure_backup_role(cur, name: str, password: str) -> None:
    cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [name])
    verb = "ALTER" if cur.fetchone() else "CREATE"
    cur.execute(
        sql.SQL(f"{verb} ROLE {{}} LOGIN PASSWORD {{}} NOSUPERUSER BYPASSRLS NOCREATEDB NOCREATEROLE").format(
            sql.Identifier(name), sql.Literal(password)
        )
    )
    cur.execute(sql.SQL("GRANT pg_read_all_data TO {}").format(sql.Identifier(name)))


def main(admin_url: str, owner_url: str, app_url: str, backup_url: str | None = None) -> None:
    owner, app = parts(owner_url), parts(app_url)
    with psycopg.connect(admin_url, autocommit=True) as conn, conn.cursor() as cur:
        ensure_role(cur, owner["user"], owner["password"], "CREATEDB NOCREATEROLE")
        ensure_role(cur, app["user"], app["password"], "NOCREATEDB NOCREATEROLE")
        if backup_url:
            backup = parts(backup_url)
            ensure_backup_role(cur, backup["user"], backup["password"])
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [owner["dbname"]])
        if not cur.fetchone():
            cur.execute(
                sql.SQL("CREATE DATABASE {} OWNER {} ENCODING 'UTF8' TEMPLATE template0").format(
                    sql.Identifier(owner["dbname"]), sql.Identifier(owner["user"])
                )
            )
    admin_db = admin_url.rsplit("/", 1)[0] + "/" + owner["dbname"]
    with psycopg.connect(admin_db, autocommit=True) as conn, conn.cursor() as cur:
        # Extensions the domain apps rely on (name search, the agenda's exclusion constraints); trusted ones, created once by the admin.
        for ext in ("unaccent", "pg_trgm", "btree_gist"):
            cur.execute("SELECT 1 FROM pg_available_extensions WHERE name = %s", [ext])
            if cur.fetchone():
                cur.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {}").format(sql.Identifier(ext)))
            else:
                print(
                    f"Attention : l'extension PostgreSQL « {ext} » n'est pas disponible sur ce serveur "
                    "(paquet contrib) ; la recherche de noms tolérante en aura besoin.",
                    file=sys.stderr,
                )
        cur.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(owner["dbname"]), sql.Identifier(app["user"])
            )
        )
    print(
        f"PostgreSQL : rôle propriétaire « {owner['user']} », rôle applicatif « {app['user']} »"
        + (f", rôle de sauvegarde « {parts(backup_url)['user']} »" if backup_url else "")
        + f", base « {owner['dbname']} » prêts."
    )


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:])
