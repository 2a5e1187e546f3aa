"""``dui.forms.SelectRapide`` writes the same ``<select>`` as Django's ``forms.Select`` (issue 16: the
admin's list of every professional took 0.9 s through a template per option)."""

from __future__ import annotations

import pytest
from django import forms
from django.test.html import parse_html

from dui.forms import SelectRapide
from dui.models import Etablissement
from dui.tenancy import tenant_context

pytestmark = pytest.mark.django_db


def _formulaires(queryset, donnees=None):
    class Lent(forms.Form):
        choix = forms.ModelChoiceField(queryset=queryset, to_field_name="public_id", label="Choix")

    class Rapide(forms.Form):
        choix = forms.ModelChoiceField(
            queryset=queryset, to_field_name="public_id", label="Choix", widget=SelectRapide
        )

    return Lent(donnees), Rapide(donnees)


def test_le_meme_html_que_le_select_de_django(og_a):
    with tenant_context(og_a.organisme.pk):
        qs = Etablissement.objects.filter(organisme=og_a.organisme).order_by("nom")
        etabs = list(qs)
        assert len(etabs) >= 2
        for donnees in (None, {"choix": str(etabs[1].public_id)}, {"choix": "inconnu <b>"}):
            lent, rapide = _formulaires(qs, donnees)
            html_lent, html_rapide = str(lent["choix"]), str(rapide["choix"])
            assert parse_html(html_rapide) == parse_html(html_lent), (donnees, html_rapide)
        _lent, rapide = _formulaires(qs, {"choix": str(etabs[1].public_id)})
        assert f'<option value="{etabs[1].public_id}" selected>' in str(rapide["choix"])
        assert rapide.is_valid() and rapide.cleaned_data["choix"] == etabs[1]


def test_les_libelles_sont_echappes():
    choix = [("a", "<script>x</script>"), ('"b', "B & C")]

    class Rapide(forms.Form):
        champ = forms.ChoiceField(choices=choix, widget=SelectRapide)

    class Lent(forms.Form):
        champ = forms.ChoiceField(choices=choix)

    html = str(Rapide()["champ"])
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert 'value="&quot;b"' in html and "B &amp; C" in html
    assert parse_html(html) == parse_html(str(Lent()["champ"]))
