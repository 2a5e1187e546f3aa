"""Multi-host database URLs (a pg_auto_failover cluster): read into Django's settings as libpq expects them, and
a connection that skips a host that does not answer."""

from __future__ import annotations

import psycopg
import pytest
from django.conf import settings

from dui.bases import config_multi_hotes, multi_hotes


def test_a_multi_host_url_becomes_libpq_lists():
    url = "postgres://dui_app:s%C3%A9cret@db1:5433,db2/dui?target_session_attrs=read-write&sslmode=require"
    assert multi_hotes(url) and not multi_hotes("postgres://dui_app:x@db1:5432/dui")
    assert config_multi_hotes(url) == {
        "NAME": "dui",
        "USER": "dui_app",
        "PASSWORD": "sécret",
        "HOST": "db1,db2",
        "PORT": "5433,5432",
        "OPTIONS": {"target_session_attrs": "read-write", "sslmode": "require"},
    }
    with pytest.raises(ValueError, match="hôte vide"):
        config_multi_hotes("postgres://u:p@db1,:5432/dui")


@pytest.mark.django_db
def test_libpq_skips_a_host_that_does_not_answer_and_keeps_the_writable_one():
    """What happens after a failover: the first host of the list is gone, the connection goes to the next."""
    reel = settings.DATABASES["default"]
    config = config_multi_hotes(
        f"postgres://{reel['USER']}:{reel['PASSWORD']}@127.0.0.1:1,{reel['HOST']}:{reel['PORT'] or 5432}/"
        f"{reel['NAME']}?target_session_attrs=read-write&connect_timeout=3"
    )
    with psycopg.connect(
        host=config["HOST"], port=config["PORT"], dbname=config["NAME"], user=config["USER"],
        password=config["PASSWORD"], **config["OPTIONS"],
    ) as connexion:  # fmt: skip
        assert connexion.execute("select not pg_is_in_recovery()").fetchone() == (True,)
        assert str(connexion.info.port) == str(reel["PORT"] or 5432)
