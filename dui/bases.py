"""Database URLs, including libpq's multi-host form for a highly available cluster (pg_auto_failover):

    postgres://dui_app:…@db1:5432,db2:5432/dui?target_session_attrs=read-write

libpq tries the hosts in turn and keeps the one that accepts writes, so that after a failover new connections
reach the new primary. Django's PostgreSQL backend passes HOST and PORT to libpq as they are: the lists go
there comma-separated. A single-host URL is read as django-environ reads it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


def multi_hotes(url: str) -> bool:
    return "," in urlsplit(url).netloc.rpartition("@")[2]


def config_multi_hotes(url: str) -> dict[str, Any]:
    """The DATABASES entry of a multi-host URL (``host1:port1,host2:port2``; a host without a port gets 5432)."""
    parties = urlsplit(url)
    identite, _, hotes = parties.netloc.rpartition("@")
    utilisateur, _, mot_de_passe = identite.partition(":")
    noms, ports = [], []
    for hote in hotes.split(","):
        nom, _, port = hote.partition(":")
        if not nom:
            raise ValueError(f"URL de base de données invalide (hôte vide) : {parties.scheme}://…@{hotes}")
        noms.append(nom)
        ports.append(port or "5432")
    options = dict(parse_qsl(parties.query))
    return {
        "NAME": unquote(parties.path.lstrip("/")),
        "USER": unquote(utilisateur),
        "PASSWORD": unquote(mot_de_passe),
        "HOST": ",".join(noms),
        "PORT": ",".join(ports),
        "OPTIONS": options,
    }
