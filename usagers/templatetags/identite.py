from django import template

from usagers.identite import matricule_partageable

register = template.Library()


@register.simple_tag
def matricule_ins(usager) -> str:
    """The matricule INS for display: only for a qualified identity (usagers.identite)."""
    return matricule_partageable(usager) or ""
