"""Test settings: the application settings, plus what only tests need."""

from dui.settings import *  # noqa: F403

DUI_VERIFIER_CATEGORIES = True
DUI_TESTING = True  # test databases grant TRUNCATE to the app role (transactional tests flush tables)
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses PBKDF2
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# Pro Santé Connect: off unless a test starts the local provider (fixture ``fournisseur_psc``), so that a
# provider left running by bin/run on the demo port is never reached by the tests.
DUI_PSC_DISCOVERY_URL = ""

# A "replica" alias on a second connection to the test database (tests/dui/test_replique.py turns the
# routing on; elsewhere the reads stay on the primary connection)
DATABASES["replique"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}  # noqa: F405
DATABASES["replique"]["OPTIONS"] = {**DATABASES["default"]["OPTIONS"], "application_name": "dui-replique"}  # noqa: F405
DUI_LECTURE_REPLIQUE = False
