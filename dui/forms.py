"""Forms of the kernel models and what every app's forms share: the call of a service from a view
(``traiter``), the ESMS choice, French decimals, hours."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest

from .models import Etablissement, OrganismeGestionnaire, Unite


class SelectRapide(forms.Select):
    """A ``<select>`` of flat choices written in one pass: Django renders a template per option, and the
    3,000 professionals of the bench organisme took 0.9 s to list (issue 16). The same HTML as
    ``forms.Select`` (a test compares them); no option groups, no per-option attributes."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join
        from django.utils.safestring import mark_safe

        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        choisies = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (v, mark_safe(" selected") if str(v) in choisies else "", libelle)
                for v, libelle in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


class CorrectionForm(forms.Form):
    """Undoing a validation of the plan (a care task, a dose): the reason, required after the window."""

    motif_correction = forms.CharField(max_length=200, required=False)


class OrganismeForm(forms.ModelForm[OrganismeGestionnaire]):
    class Meta:
        model = OrganismeGestionnaire
        fields = ["raison_sociale", "finess_juridique", "siren"]


class EtablissementForm(forms.ModelForm[Etablissement]):
    class Meta:
        model = Etablissement
        fields = ["nom", "finess_geographique", "categorie", "capacite", "adresse", "telephone", "actif"]
        widgets = {"adresse": forms.Textarea(attrs={"rows": 2})}

    def validate_unique(self) -> None:
        # FINESS uniqueness spans all tenants: checked by the service, which can see them.
        pass


class UniteForm(forms.ModelForm[Unite]):
    class Meta:
        model = Unite
        fields = ["nom", "capacite", "active"]


def ajouter_erreurs(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its fields when it names them, else on top."""
    if hasattr(exc, "error_dict"):
        for champ, erreurs in exc.message_dict.items():
            form.add_error(champ if champ in form.fields else None, erreurs)
    else:
        form.add_error(None, exc.messages)


class Traitement:
    """What ``traitement`` observed: ``ok`` is False once a service refused the input."""

    def __init__(self) -> None:
        self.ok = True


@contextmanager
def traitement(
    form: forms.BaseForm | None = None, request: HttpRequest | None = None, refus_404: bool = True
) -> Iterator[Traitement]:
    """The one way a view calls a service, and the one place a refusal becomes a 404::

        with traitement(form):
            projet = services.do_creer_projet(request.user, …)
            messages.success(request, "Projet créé.")
            return redirect(projet.get_absolute_url())
        return render(…)  # the form again, with the service's errors

    A ``ValidationError`` goes onto ``form`` (on its fields when it names them), or into the page's messages
    when there is no form (``request``), in French, and nothing typed is lost. A ``PermissionDenied`` becomes
    a 404, as for an object of another tenant (``refus_404=False`` keeps Django's 403)."""
    etat = Traitement()
    try:
        yield etat
    except ValidationError as exc:
        etat.ok = False
        if form is not None:
            ajouter_erreurs(form, exc)
        elif request is not None:
            messages.error(request, " ".join(exc.messages))
        else:
            raise
    except PermissionDenied:
        if not refus_404:
            raise
        raise Http404 from None


def traiter(form: forms.BaseForm, appel: Callable[[], object]) -> bool:
    """``traitement`` for a valid form and one call: True on success."""
    if not form.is_valid():
        return False
    with traitement(form) as etat:
        appel()
    return etat.ok


# --- Fields shared by the domain apps' forms ------------------------------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EtablissementField(forms.ModelChoiceField[Etablissement]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(label="Établissement", queryset=None, to_field_name="public_id", **kwargs)


def champ_a_choix(form: forms.BaseForm, nom: str) -> forms.ModelChoiceField[Any]:
    """The form's model choice field ``nom``, typed (its queryset is set by the view's choices)."""
    champ = form.fields[nom]
    assert isinstance(champ, forms.ModelChoiceField)
    return champ


def choix_etablissements(form: forms.BaseForm, etablissements: Sequence[Etablissement]) -> None:
    """The form's ``etablissement`` field offers these ESMS (the view chose them: tenant and habilitations);
    the only one is preselected."""
    champ_a_choix(form, "etablissement").queryset = Etablissement.objects.filter(
        pk__in=[e.pk for e in etablissements]
    )
    if len(etablissements) == 1 and not form.is_bound and not form.initial.get("etablissement"):
        # a ModelForm's initial holds the unsaved instance's empty value: setdefault would keep it
        form.initial["etablissement"] = etablissements[0].public_id


class DecimalFrField(forms.CharField):
    """A number typed on a French tablet: "37,8" as well as "37.8"."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value: Any) -> Decimal | None:
        value = super().clean(value)
        if value in (None, ""):
            return None
        try:
            nombre = Decimal(value.replace(",", ".").replace(" ", ""))
        except InvalidOperation:
            raise forms.ValidationError("Saisissez un nombre (ex. 37,8).") from None
        if not nombre.is_finite():
            raise forms.ValidationError("Saisissez un nombre (ex. 37,8).")
        return nombre


class HeuresField(forms.CharField):
    """ "7:30, 12h, 19 h 15" → sorted times."""

    def clean(self, value: Any) -> list[datetime.time]:
        value = super().clean(value)
        if not self.required and not (value or "").strip():
            return []
        heures = []
        for morceau in (value or "").replace(";", ",").split(","):
            texte = morceau.strip().lower().replace(" ", "").replace("h", ":")
            if not texte:
                continue
            if texte.endswith(":"):
                texte += "00"
            try:
                heure, _, minute = texte.partition(":")
                heures.append(datetime.time(int(heure), int(minute or 0)))
            except ValueError:
                raise forms.ValidationError(
                    f"« {morceau.strip()} » n'est pas une heure (ex. 7:30, 14h, 21 h 15)."
                ) from None
        if not heures:
            raise forms.ValidationError("Indiquez au moins une heure.")
        if len(heures) > 24:
            raise forms.ValidationError("Au plus 24 heures par jour.")
        return sorted(set(heures))
