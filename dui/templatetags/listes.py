"""``{% peut_exporter "code" as autorise %}``: whether the list's export button has a place on the page."""

from __future__ import annotations

from typing import Any

from django import template

from dui.listes import registre_listes

register = template.Library()


@register.simple_tag(takes_context=True)
def peut_exporter(context: dict[str, Any], code: str) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    liste = registre_listes.get(code)
    return bool(liste and user is not None and getattr(user, "organisme_id", None) and liste.autorise(user))
