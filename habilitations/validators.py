"""Password rules beyond Django's: a common password with a few digits or symbols appended
("motdepasse123", "azerty2026!") is still a common password."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError

_DECORATION = re.compile(r"^[\W\d_]*(.*?)[\W\d_]*$")


class CommonPasswordCoreValidator(CommonPasswordValidator):
    """Reject a password whose core (leading and trailing digits and symbols removed) is common."""

    def validate(self, password: Any, user: Any = None) -> None:
        decoupe = _DECORATION.match(password.lower().strip())
        core = decoupe.group(1) if decoupe else password.lower().strip()
        if len(core) >= 4 and core in self.passwords:
            raise ValidationError(
                "Ce mot de passe est un mot de passe courant complété de chiffres ou de symboles : "
                "il serait deviné rapidement.",
                code="password_too_common",
            )

    def get_help_text(self) -> Any:
        return "Votre mot de passe ne peut pas être un mot de passe courant, même complété de chiffres."
