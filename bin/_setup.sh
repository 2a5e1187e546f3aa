# Shared by bin/run and bin/test: virtualenv, embedded or configured services, database roles.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$(pwd)
PYTHON=${PYTHON:-python3}
EXTRAS=${1:-}

"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "[dui] Python 3.11 ou plus récent est requis." >&2; exit 1; }
if [ ! -x .venv/bin/python ]; then
  echo "[dui] Création de l'environnement virtuel .venv" >&2
  "$PYTHON" -m venv .venv
fi
# Dependencies come from a lock file with hashes (requirements/*.txt, made by pip-compile from pyproject.toml:
# see docs/contributing.md); the project itself is then installed without resolving anything.
lock="requirements/${EXTRAS:-production}.txt"
stamp=".venv/.installed${EXTRAS:+-$EXTRAS}"
if [ ! -f "$stamp" ] || [ "$lock" -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "[dui] Installation des dépendances verrouillées ($lock, empreintes vérifiées)…" >&2
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q --require-hashes -r "$lock"
  .venv/bin/pip install -q --no-deps -e .
  touch "$stamp"
fi
export PATH="$ROOT/.venv/bin:$PATH"

eval "$(python scripts/services.py env)"
if [ -n "${DATABASE_ADMIN_URL:-}" ]; then
  python scripts/provision_db.py "$DATABASE_ADMIN_URL" "$DATABASE_OWNER_URL" "$DATABASE_URL" \
    ${DATABASE_BACKUP_URL:+"$DATABASE_BACKUP_URL"} >&2
fi
