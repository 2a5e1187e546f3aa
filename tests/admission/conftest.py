from tests.usagers.conftest import usager_a  # noqa: F401  (shared fixture)
