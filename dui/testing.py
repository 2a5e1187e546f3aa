"""Test database set-up: created and migrated by the *owner* role, then used by the tests through the
*application* role, so that row-level security is really exercised (a superuser or the owner without
FORCE would silently bypass it)."""

from __future__ import annotations

from django.db import connections


def setup_test_databases(keepdb: bool) -> str:
    owner = connections["owner"]
    test_name = owner.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False, keepdb=keepdb)
    default = connections["default"]
    default.close()
    default.settings_dict["NAME"] = test_name
    return test_name


def teardown_test_databases(old_name: str, keepdb: bool) -> None:
    connections["default"].close()
    connections["owner"].creation.destroy_test_db(old_name, verbosity=0, keepdb=keepdb)
