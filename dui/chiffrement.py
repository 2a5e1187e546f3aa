"""Secrets encrypted at rest (second-factor seeds, recovery codes waiting in a session): Fernet from the
``cryptography`` library (AES-128-CBC + HMAC-SHA256, authenticated, timestamped).

Keys come from ``DUI_CLES_CHIFFREMENT`` (comma-separated Fernet keys, the newest first). Rotation: put a
new key first, keep the old ones after it (they still decrypt), run ``manage.py rechiffrer`` (every secret
re-encrypted with the newest key), then remove the old keys. In development a key is generated per
checkout in ``.local/``; production refuses to start without keys (``check --deploy``).
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings

PREFIXE = "fernet:"

# The encrypted fields, declared by their apps (``AppConfig.ready``): ``manage.py rechiffrer`` re-encrypts
# every one of them. ``(label of the model, field)``.
CHAMPS_CHIFFRES: list[tuple[str, str]] = []


def declarer_champ_chiffre(modele: str, champ: str) -> None:
    if (modele, champ) not in CHAMPS_CHIFFRES:
        CHAMPS_CHIFFRES.append((modele, champ))


class SecretIllisible(ValueError):
    """The value is not a ciphertext of one of the configured keys (clear text, or an unknown key)."""


@lru_cache(maxsize=4)
def _multi(cles: tuple[str, ...]) -> MultiFernet:
    if not cles:
        raise SecretIllisible("Aucune clé de chiffrement (DUI_CLES_CHIFFREMENT) n'est configurée.")
    return MultiFernet([Fernet(cle.encode()) for cle in cles])


def _cles() -> MultiFernet:
    return _multi(tuple(settings.DUI_CLES_CHIFFREMENT))


def chiffrer(texte: str) -> str:
    return PREFIXE + _cles().encrypt(texte.encode()).decode()


def dechiffrer(valeur: str) -> str:
    if not valeur.startswith(PREFIXE):
        raise SecretIllisible("Secret stocké en clair : il doit être chiffré (manage.py rechiffrer).")
    try:
        return _cles().decrypt(valeur.removeprefix(PREFIXE).encode()).decode()
    except InvalidToken as exc:
        raise SecretIllisible("Secret chiffré avec une clé inconnue (DUI_CLES_CHIFFREMENT).") from exc


def rechiffrer(valeur: str) -> str:
    """The same secret under the newest key (clear text is encrypted)."""
    if not valeur.startswith(PREFIXE):
        return chiffrer(valeur)
    return PREFIXE + _cles().rotate(valeur.removeprefix(PREFIXE).encode()).decode()


def nouvelle_cle() -> str:
    return Fernet.generate_key().decode()
