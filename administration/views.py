"""Administration UI: platform administrators create organismes; an OG administrator manages its
établissements, unités, professionals, habilitations and exceptions. Every lookup goes through
``get_for_user_or_404`` (tenant + habilitation), so another organisme's objects answer 404."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from dui.forms import EtablissementForm, OrganismeForm, UniteForm, traitement
from dui.models import Etablissement, OrganismeGestionnaire, Unite
from dui.services import do_enregistrer_etablissement, do_enregistrer_unite
from habilitations import services
from habilitations.access import for_tenant, get_for_user_or_404
from habilitations.forms import ExceptionForm, HabilitationForm, PolitiquePSCForm, ProfessionnelForm
from habilitations.models import (
    EvenementAuthentification,
    ExceptionAccesEtablissement,
    Habilitation,
    MethodeAuth,
    PolitiquePSC,
    PostePartage,
    Professionnel,
    TypeEvenementAuth,
)
from habilitations.roles import Droit

ADMIN = Droit.ADMINISTRATION_MODIFIER


def _exiger_admin_og(request) -> None:
    if not (request.user.est_admin_organisme and request.user.organisme_id):
        raise Http404


def _exiger_admin_plateforme(request) -> None:
    if not request.user.est_admin_plateforme:
        raise Http404


# --- Platform ----------------------------------------------------------------------------------------


class PremierAdministrateurForm(forms.Form):
    admin_email = forms.EmailField(label="E-mail de l'administrateur de l'organisme")
    admin_prenom = forms.CharField(label="Prénom", max_length=100)
    admin_nom = forms.CharField(label="Nom", max_length=100)
    admin_mot_de_passe = forms.CharField(
        label="Mot de passe initial", strip=False, widget=forms.PasswordInput
    )


@login_required
def organismes(request):
    _exiger_admin_plateforme(request)
    return render(
        request, "administration/organismes.html", {"organismes": OrganismeGestionnaire.objects.all()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisme_creer(request):
    _exiger_admin_plateforme(request)
    form = OrganismeForm(request.POST or None)
    admin_form = PremierAdministrateurForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and admin_form.is_valid():
        with traitement(admin_form, refus_404=False):
            services.do_creer_organisme(request.user, **form.cleaned_data, **admin_form.cleaned_data)
            messages.success(request, f"Organisme « {form.cleaned_data['raison_sociale']} » créé.")
            return redirect("administration:organismes")
    return render(request, "administration/organisme_form.html", {"form": form, "admin_form": admin_form})


# --- Établissements et unités ------------------------------------------------------------------------


@login_required
def etablissements(request):
    _exiger_admin_og(request)
    etabs = for_tenant(request.user, Etablissement.objects.all()).prefetch_related("unites")
    return render(request, "administration/etablissements.html", {"etablissements": etabs})


@login_required
@require_http_methods(["GET", "POST"])
def etablissement_form(request, public_id=None):
    _exiger_admin_og(request)
    etab = (
        get_for_user_or_404(request.user, ADMIN, Etablissement.objects.all(), public_id)
        if public_id
        else None
    )
    form = EtablissementForm(request.POST or None, instance=etab)
    if request.method == "POST" and form.is_valid():
        with traitement(form, refus_404=False):
            etab = do_enregistrer_etablissement(request.user, form.instance)
            messages.success(request, f"Établissement « {etab.nom} » enregistré.")
            return redirect("administration:etablissement_unites", public_id=etab.public_id)
    return render(request, "administration/etablissement_form.html", {"form": form, "etablissement": etab})


@login_required
@require_http_methods(["GET", "POST"])
def etablissement_unites(request, public_id):
    _exiger_admin_og(request)
    etab = get_for_user_or_404(request.user, ADMIN, Etablissement.objects.all(), public_id)
    unite = None
    if request.GET.get("unite"):
        unite = get_for_user_or_404(
            request.user, ADMIN, Unite.objects.filter(etablissement=etab), request.GET["unite"]
        )
    form = UniteForm(
        request.POST or None,
        instance=unite or Unite(etablissement=etab, organisme_id=request.user.organisme_id),
    )
    if request.method == "POST" and form.is_valid():
        with traitement(form, refus_404=False):
            do_enregistrer_unite(request.user, etab, form.instance)
            messages.success(request, f"Unité « {form.instance.nom} » enregistrée.")
            return redirect("administration:etablissement_unites", public_id=etab.public_id)
    return render(
        request,
        "administration/etablissement_unites.html",
        {"etablissement": etab, "unites": etab.unites.all(), "form": form, "unite": unite},
    )


# --- Professionnels et habilitations -----------------------------------------------------------------


@login_required
def professionnels(request):
    _exiger_admin_og(request)
    qs = for_tenant(request.user, Professionnel.objects.all())
    q = request.GET.get("q", "").replace("\x00", "").strip()[:100]
    if q:
        qs = qs.filter(Q(nom__icontains=q) | Q(prenom__icontains=q) | Q(email__icontains=q))
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    template = (
        "administration/_professionnels_table.html"
        if request.headers.get("HX-Request")
        else "administration/professionnels.html"
    )
    return render(request, template, {"page": page, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def professionnel_creer(request):
    _exiger_admin_og(request)
    form = ProfessionnelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        champs = {k: v for k, v in form.cleaned_data.items() if k != "mot_de_passe"}
        with traitement(form, refus_404=False):
            pro = services.do_creer_professionnel(
                request.user, mot_de_passe=form.cleaned_data["mot_de_passe"], **champs
            )
            code = services.do_emettre_code_enrolement(request.user, pro, request)
            return _montrer_code(request, pro, code, f"Compte de {pro} créé.")
    return render(request, "administration/professionnel_form.html", {"form": form})


def _montrer_code(request, pro, code: str, titre: str):
    """The enrolment code, shown once to the administrator (rendered, never stored in a message)."""
    from django.conf import settings

    reponse = render(
        request,
        "administration/code_enrolement.html",
        {"pro": pro, "code": code, "titre": titre, "heures": settings.DUI_CODE_ENROLEMENT_HEURES},
    )
    reponse["Cache-Control"] = "no-store"
    return reponse


def _professionnel(request, public_id) -> Professionnel:
    return get_for_user_or_404(request.user, ADMIN, Professionnel.objects.all(), public_id)


@login_required
@require_http_methods(["GET", "POST"])
def professionnel(request, public_id):
    _exiger_admin_og(request)
    pro = _professionnel(request, public_id)
    etabs = for_tenant(request.user, Etablissement.objects.filter(actif=True))
    form = ProfessionnelForm(request.POST or None, instance=pro)
    if request.method == "POST" and form.is_valid():
        champs = {
            k: form.cleaned_data[k]
            for k in ("nom", "prenom", "profession", "rpps", "est_admin_organisme", "est_dpo")
        }
        with traitement(form, refus_404=False):
            services.do_modifier_professionnel(request.user, pro, **champs)
            messages.success(request, "Fiche enregistrée.")
            return redirect("administration:professionnel", public_id=pro.public_id)
    return render(
        request,
        "administration/professionnel.html",
        {
            "pro": pro,
            "form": form,
            "habilitations": pro.habilitations.select_related("etablissement").order_by("-debut"),
            "hab_form": HabilitationForm(etabs),
            "exc_form": ExceptionForm(etabs),
            "mdp_form": MotDePasseTemporaireForm(),
            "exceptions": ExceptionAccesEtablissement.objects.filter(
                user=pro, organisme_id=request.user.organisme_id
            ).select_related("permission", "content_object"),
        },
    )


@login_required
@require_POST
def habilitation_ajouter(request, public_id):
    _exiger_admin_og(request)
    pro = _professionnel(request, public_id)
    form = HabilitationForm(for_tenant(request.user, Etablissement.objects.filter(actif=True)), request.POST)
    if form.is_valid():
        with traitement(request=request, refus_404=False):
            services.do_ajouter_habilitation(
                request.user,
                pro,
                form.cleaned_data["etablissement"],
                form.cleaned_data["role"],
                form.cleaned_data["debut"],
                form.cleaned_data["fin"],
                request=request,
            )
            messages.success(request, "Habilitation ajoutée.")
    else:
        messages.error(
            request,
            "Habilitation non ajoutée : "
            + " ".join(str(e) for errors in form.errors.values() for e in errors),
        )
    return redirect("administration:professionnel", public_id=pro.public_id)


@login_required
@require_POST
def habilitation_terminer(request, public_id):
    _exiger_admin_og(request)
    hab = get_for_user_or_404(
        request.user, ADMIN, Habilitation.objects.select_related("professionnel"), public_id
    )
    services.do_terminer_habilitation(request.user, hab, request=request)
    messages.success(request, "Habilitation terminée à la date du jour.")
    return redirect("administration:professionnel", public_id=hab.professionnel.public_id)


@login_required
@require_POST
def exception_ajouter(request, public_id):
    _exiger_admin_og(request)
    pro = _professionnel(request, public_id)
    form = ExceptionForm(for_tenant(request.user, Etablissement.objects.all()), request.POST)
    if form.is_valid():
        services.do_definir_exception(
            request.user,
            pro,
            form.cleaned_data["etablissement"],
            form.cleaned_data["categorie"],
            form.cleaned_data["nature"],
            request=request,
        )
        messages.success(request, "Exception enregistrée.")
    else:
        messages.error(request, "Exception non enregistrée : choix invalide.")
    return redirect("administration:professionnel", public_id=pro.public_id)


@login_required
@require_POST
def exception_retirer(request, public_id, exception_id: int):
    _exiger_admin_og(request)
    pro = _professionnel(request, public_id)
    exc = (
        ExceptionAccesEtablissement.objects.filter(
            pk=exception_id, user=pro, organisme_id=request.user.organisme_id
        )
        .select_related("permission", "content_object")
        .first()
    )
    if exc is None:
        raise Http404
    nature, _, categorie = exc.permission.codename.partition("_")
    services.do_retirer_exception(request.user, pro, exc.content_object, categorie, nature, request=request)
    messages.success(request, "Exception retirée.")
    return redirect("administration:professionnel", public_id=pro.public_id)


@login_required
@require_POST
def professionnel_activation(request, public_id):
    _exiger_admin_og(request)
    pro = _professionnel(request, public_id)
    with traitement(request=request, refus_404=False):
        if request.POST.get("action") == "reactiver":
            services.do_reactiver_professionnel(request.user, pro)
            messages.success(request, f"Compte de {pro} réactivé.")
        else:
            services.do_desactiver_professionnel(request.user, pro, request)
            messages.success(request, f"Compte de {pro} désactivé : ses sessions sont closes.")
    return redirect("administration:professionnel", public_id=pro.public_id)


class MotDePasseTemporaireForm(forms.Form):
    temporaire = forms.CharField(label="Mot de passe temporaire", strip=False, widget=forms.PasswordInput)


@login_required
@require_POST
def professionnel_reinitialiser(request, public_id):
    """Temporary password (to be replaced at next login) or second factor reset (lost phone)."""
    _exiger_admin_og(request)
    pro = _professionnel(request, public_id)
    if request.POST.get("quoi") == "second_facteur":
        code = services.do_reinitialiser_second_facteur(request.user, pro, request)
        return _montrer_code(request, pro, code, f"Second facteur de {pro} réinitialisé.")
    else:
        form = MotDePasseTemporaireForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Saisissez un mot de passe temporaire.")
        else:
            try:
                services.do_reinitialiser_mot_de_passe(
                    request.user, pro, request, form.cleaned_data["temporaire"]
                )
            except ValidationError as exc:
                messages.error(request, "Mot de passe refusé : " + " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    f"Mot de passe temporaire défini : {pro} devra le changer à sa prochaine connexion.",
                )
    return redirect("administration:professionnel", public_id=pro.public_id)


# --- Pro Santé Connect ---------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def politique_psc(request):
    """The organisme's Pro Santé Connect rule, per role; with who is linked and how the last 30 days'
    logins were made."""
    import datetime

    from django.db.models import Count
    from django.utils import timezone

    from habilitations import psc

    _exiger_admin_og(request)
    politique = for_tenant(request.user, PolitiquePSC.objects.all()).first() or PolitiquePSC(
        organisme_id=request.user.organisme_id
    )
    form = PolitiquePSCForm(request.POST or None, politique=politique)
    if request.method == "POST" and form.is_valid():
        with traitement(form, refus_404=False):
            services.do_enregistrer_politique_psc(
                request.user, form.exigences(), form.cleaned_data["reauth_bris_de_glace_minutes"]
            )
            messages.success(request, "Politique Pro Santé Connect enregistrée.")
            return redirect("administration:politique_psc")
    pros = for_tenant(request.user, Professionnel.objects.filter(is_active=True))
    depuis = timezone.now() - datetime.timedelta(days=30)
    connexions = dict(
        EvenementAuthentification.objects.filter(
            organisme_id=request.user.organisme_id,
            type_evenement=TypeEvenementAuth.SUCCES,
            horodatage__gte=depuis,
        )
        .values_list("methode")
        .annotate(n=Count("pk"))
        .values_list("methode", "n")
    )
    return render(
        request,
        "administration/politique_psc.html",
        {
            "form": form,
            "configure": psc.est_configure(),
            "avec_rpps": pros.exclude(rpps="").count(),
            "lies": pros.exclude(psc_sub="").count(),
            "actifs": pros.count(),
            "connexions_psc": connexions.get(MethodeAuth.PSC, 0),
            "connexions_locales": connexions.get(MethodeAuth.LOCALE, 0),
        },
    )


# --- Shared tablets (issue 23, item 7; decision 0021) ------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tablettes(request):
    """The organisme's shared tablets, and the enrolment of this browser as one of them."""
    from habilitations import postes
    from habilitations.forms import PosteForm

    _exiger_admin_og(request)
    etablissements = for_tenant(request.user, Etablissement.objects.all()).order_by("nom")
    form = PosteForm(request.POST or None, etablissements=etablissements)
    if request.method == "POST" and form.is_valid():
        with traitement(form, refus_404=False):
            etab = get_for_user_or_404(
                request.user, ADMIN, Etablissement.objects.all(), form.cleaned_data["etablissement"].public_id
            )
            poste, jeton = postes.enroler(request.user, etab, form.cleaned_data["libelle"])
            messages.success(
                request,
                f"Ce navigateur est la tablette partagée « {poste.libelle} » de {etab.nom}. "
                "Déconnectez-vous : chaque professionnel s'y connectera en entier au début de son poste, "
                "puis la reprendra avec son code PIN.",
            )
            reponse = redirect("administration:tablettes")
            postes.poser_cookie(reponse, jeton)
            return reponse
    liste = (
        for_tenant(request.user, PostePartage.objects.all())
        .select_related("etablissement", "enrole_par", "revoque_par")
        .order_by("revoque_le", "etablissement__nom", "libelle")
    )
    return render(
        request,
        "administration/tablettes.html",
        {
            "form": form,
            "tablettes": liste,
            "cette_tablette": postes.tablette(request),
            "inactivite": settings.DUI_POSTE_INACTIVITE_MINUTES,
        },
    )


@login_required
@require_POST
def tablette_revoquer(request, public_id):
    from habilitations import postes

    _exiger_admin_og(request)
    poste = get_for_user_or_404(request.user, ADMIN, PostePartage.objects.all(), public_id)
    if poste.revoque_le is None:
        postes.revoquer(request.user, poste)
        messages.success(
            request,
            f"Tablette « {poste.libelle} » révoquée : elle n'ouvre plus rien et ses postes en cours sont fermés.",
        )
    return redirect("administration:tablettes")
