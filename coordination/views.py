"""Pages of the agenda: a person's agenda (dossier tab) and new rendez-vous, an event (status, move,
compte rendu), my day and week, a unit's day, a resource's week, an ESMS's coordination page (resources,
activities, external rendez-vous, transports), attendance, the home round, and the calendar feeds."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from annuaire.selectors import partenaires
from documents.selectors import documents_lisibles
from documents.services import do_deposer_pdf as deposer_pdf
from dui.audit import journaliser_acces, journaliser_personnes
from dui.forms import traitement
from dui.models import Etablissement, TypeAcces
from dui.tenancy import auth_lookup, tenant_context
from habilitations import policy
from habilitations.access import get_for_user_or_404, get_in_scope_or_404, professionnel, unite_ou_404
from habilitations.roles import Droit
from usagers.dossier import contexte_dossier, usager_ou_404
from usagers.selectors import etablissements_du_dossier

from . import ical, selectors, services
from .forms import (
    ActiviteForm,
    AnnulerSuiteForm,
    DeplacerForm,
    DepotForm,
    InscrireForm,
    InviterForm,
    JetonForm,
    JourForm,
    PresenceForm,
    RendezVousForm,
    RessourceForm,
    StatutForm,
    VisiteForm,
)
from .models import Evenement, GenreEvenement, Participation, Presence, StatutEvenement
from .recurrence import decrire


def _jour(request) -> tuple[datetime.date, str]:
    form = JourForm(request.GET)
    jour, vue = timezone.localdate(), "jour"
    if form.is_valid():
        jour = form.cleaned_data["jour"] or jour
        vue = form.cleaned_data["vue"] or "jour"
    return jour, vue


def _par_jour(evenements, lundi: datetime.date) -> list[tuple[datetime.date, list[Evenement]]]:
    jours: list[tuple[datetime.date, list[Evenement]]] = [
        (lundi + datetime.timedelta(days=i), []) for i in range(7)
    ]
    index = {j: liste for j, liste in jours}
    for e in evenements:
        index.setdefault(timezone.localtime(e.debut).date(), []).append(e)
    return jours


# --- A person's agenda -----------------------------------------------------------------------------------


@login_required
def dossier(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.COORDINATION_VOIR)
    depuis = timezone.now() - datetime.timedelta(days=30)
    evenements = list(selectors.agenda_de_la_personne(request.user, usager, depuis))
    maintenant = timezone.now()
    return render(
        request,
        "coordination/dossier.html",
        {
            **contexte_dossier(request, usager, "agenda"),
            "a_venir": [e for e in evenements if e.fin >= maintenant],
            "passes": [e for e in evenements if e.fin < maintenant][::-1],
            "peut_planifier": bool(
                etablissements_du_dossier(request.user, usager, Droit.COORDINATION_MODIFIER)
            ),
        },
    )


@login_required
def nouveau_rdv(request, public_id):
    usager = usager_ou_404(request, public_id, Droit.COORDINATION_MODIFIER)
    etablissements = etablissements_du_dossier(request.user, usager, Droit.COORDINATION_MODIFIER)
    if not etablissements:
        raise Http404
    choisi = next(
        (e for e in etablissements if str(e.public_id) == request.GET.get("etablissement")), etablissements[0]
    )
    form = RendezVousForm(
        request.POST or None,
        initial={"jour": timezone.localdate(), "intervalle": 1},
        partenaires=partenaires(request.user),
        ressources=selectors.ressources(request.user, choisi),
        professionnels=selectors.professionnels_de(choisi),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with traitement(form):
            evenement = services.do_planifier(
                request.user,
                choisi,
                genre=d["genre"],
                debut=d["debut"],
                fin=d["fin"],
                usager=usager,
                professionnels=list(d["professionnels"]),
                transport=form.transport(),
                regle=form.regle(),
                **{c: d[c] for c in services.CHAMPS_EVENEMENT if c in d},
            )
            messages.success(request, f"« {evenement.titre} » planifié {services._creneau(evenement)}.")
            return redirect(reverse("coordination:dossier", args=[usager.public_id]))
    return render(
        request,
        "coordination/nouveau_rdv.html",
        {
            **contexte_dossier(request, usager, "agenda"),
            "form": form,
            "etablissements": etablissements,
            "choisi": choisi,
        },
    )


# --- One event -----------------------------------------------------------------------------------------


def _evenement(request, public_id, action=Droit.COORDINATION_VOIR) -> Evenement:
    return get_in_scope_or_404(
        selectors.avec_details(selectors.evenements_visibles(request.user, action)).select_related(
            "serie", "projet", "prestation"
        ),
        public_id,
    )


@login_required
def evenement(request, public_id):
    objet = _evenement(request, public_id)
    peut_modifier = (
        selectors.evenements_visibles(request.user, Droit.COORDINATION_MODIFIER).filter(pk=objet.pk).exists()
    )
    forms_ = {
        "statut": StatutForm(initial={"statut": objet.statut, "compte_rendu": objet.compte_rendu}),
        "deplacer": DeplacerForm(
            initial={
                "jour": timezone.localdate(objet.debut),
                "heure_debut": timezone.localtime(objet.debut).time(),
                "heure_fin": timezone.localtime(objet.fin).time(),
            }
        ),
        "suite": AnnulerSuiteForm(),
    }
    debut_local, fin_local = timezone.localtime(objet.debut), timezone.localtime(objet.fin)
    raccourcis = [
        (libelle, debut_local.date() + datetime.timedelta(days=jours), debut_local.time(), fin_local.time())
        for libelle, jours in (("Demain, même heure", 1), ("Semaine prochaine, même heure", 7))
    ]
    if peut_modifier and objet.genre == GenreEvenement.REUNION:
        forms_["inviter"] = InviterForm(
            partenaires=partenaires(request.user),
            proches=selectors.proches_invitables(request.user, objet),
        )
    if peut_modifier and objet.genre == GenreEvenement.ACTIVITE and objet.statut == StatutEvenement.PREVU:
        forms_["inscrire"] = InscrireForm(
            personnes=selectors.personnes_de_l_etablissement(
                request.user, objet.etablissement, Droit.COORDINATION_MODIFIER
            ),
            actions=selectors.actions_de_l_etablissement(request.user, objet.etablissement),
        )
    categories = _categories_deposables(request.user, objet)
    if categories:
        forms_["depot"] = DepotForm(categories=categories)
    if request.method == "POST":
        if not peut_modifier:
            raise Http404
        quoi = request.POST.get("quoi")
        if quoi == "depot" and categories:
            form = forms_["depot"] = DepotForm(request.POST, request.FILES, categories=categories)
            if form.is_valid():
                with traitement(form):
                    document = deposer_pdf(
                        request.user,
                        usager=objet.usager,
                        etablissement=objet.etablissement,
                        categorie=form.cleaned_data["categorie"],
                        titre=form.cleaned_data["titre"],
                        contenu=form.cleaned_data["fichier"].read(),
                        source=objet,
                    )
                    messages.success(request, f"« {document.titre} » classé dans les documents du dossier.")
                    return redirect(objet.get_absolute_url())
        if quoi == "statut":
            form = forms_["statut"] = StatutForm(request.POST)
            if form.is_valid():
                with traitement(form):
                    services.do_changer_statut(
                        request.user,
                        objet,
                        form.cleaned_data["statut"],
                        form.cleaned_data["motif"],
                        form.cleaned_data["compte_rendu"],
                    )
                    messages.success(request, "Événement mis à jour.")
                    return redirect(objet.get_absolute_url())
        elif quoi == "deplacer":
            form = forms_["deplacer"] = DeplacerForm(request.POST)
            if form.is_valid():
                with traitement(form):
                    services.do_deplacer(
                        request.user, objet, form.cleaned_data["debut"], form.cleaned_data["fin"]
                    )
                    messages.success(request, "Événement déplacé.")
                    return redirect(objet.get_absolute_url())
        elif quoi == "inviter" and "inviter" in forms_:
            form = forms_["inviter"] = InviterForm(
                request.POST,
                partenaires=forms_["inviter"].fields["partenaires"].queryset,
                proches=forms_["inviter"].fields["proches"].queryset,
            )
            if form.is_valid():
                with traitement(form):
                    n = services.do_inviter(
                        request.user,
                        objet,
                        [*form.cleaned_data["partenaires"], *form.cleaned_data["proches"]],
                    )
                    messages.success(request, f"{n} invité(s) ajouté(s).")
                    return redirect(objet.get_absolute_url())
        elif quoi == "inscrire" and "inscrire" in forms_:
            form = forms_["inscrire"] = InscrireForm(
                request.POST,
                personnes=forms_["inscrire"].fields["usager"].queryset,
                actions=forms_["inscrire"].fields["action"].queryset,
            )
            if form.is_valid():
                with traitement(form):
                    services.do_inscrire(
                        request.user, objet, form.cleaned_data["usager"], form.cleaned_data["action"]
                    )
                    messages.success(request, f"{form.cleaned_data['usager']} inscrit(e).")
                    return redirect(objet.get_absolute_url())
        elif quoi == "suite":
            form = forms_["suite"] = AnnulerSuiteForm(request.POST)
            if form.is_valid():
                with traitement(form):
                    n = services.do_annuler_suite(request.user, objet, form.cleaned_data["motif"])
                    messages.success(request, f"{n} occurrence(s) annulée(s).")
                    return redirect(objet.get_absolute_url())
        else:
            messages.error(request, "Action inconnue.")
    if objet.usager_id:
        journaliser_acces(
            request,
            TypeAcces.LECTURE,
            objet.usager,
            f"Agenda : « {objet.titre} »",
            etablissement_id=objet.etablissement_id,
        )
    participations = (
        list(selectors.participations(request.user, objet)) if objet.genre == GenreEvenement.ACTIVITE else []
    )
    if participations:
        journaliser_personnes(
            request,
            TypeAcces.LECTURE,
            [p.usager for p in participations],
            f"Activité « {objet.titre} »",
            objet.etablissement_id,
        )
    return render(
        request,
        "coordination/evenement.html",
        {
            "evenement": objet,
            "peut_modifier": peut_modifier,
            "participations": participations,
            "raccourcis": raccourcis,
            "dlu": documents_lisibles(request.user)
            .filter(usager_id=objet.usager_id, type_document="dlu", statut="disponible")
            .order_by("-cree_le")
            .first()
            if objet.dlu_a_imprimer and objet.usager_id
            else None,
            "documents": list(documents_lisibles(request.user).filter(objet_id=objet.public_id))
            if objet.usager_id
            else [],
            "invites": list(objet.invites.select_related("partenaire", "proche"))
            if objet.genre == GenreEvenement.REUNION
            else [],
            "presences": Presence,
            **forms_,
            "regle": decrire(objet.serie.regle) if objet.serie else "",
        },
    )


def _categories_deposables(user, evenement: Evenement) -> list[tuple[str, str]]:
    """The categories in which ``user`` may file a document about this event's person (none: no form)."""
    if not evenement.usager_id:
        return []
    from documents.models import CATEGORIES_DOCUMENTS

    usager, etab = evenement.usager, evenement.etablissement
    if not policy.can_dans_etablissement(user, Droit.DOCUMENTS_MODIFIER, usager, etab):
        return []
    return [
        (code, str(libelle))
        for code, libelle in CATEGORIES_DOCUMENTS
        if policy.can_dans_etablissement(user, Droit.de(code, "modifier"), usager, etab)
    ]


@login_required
@require_POST
def presence(request, public_id):
    """One tap: present / absent / excused (htmx fragment, or the activity page without JavaScript)."""
    participation = get_in_scope_or_404(
        policy.scope_contenu(
            request.user, Droit.COORDINATION_VOIR, Participation.objects.select_related("usager", "evenement")
        ),
        public_id,
    )
    form = PresenceForm(request.POST)
    erreur = ""
    if form.is_valid():
        with traitement(form):
            participation = services.do_noter_presence(
                request.user, participation, form.cleaned_data["presence"]
            )
    if form.errors:
        erreur = " ".join(e for liste in form.errors.values() for e in liste)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "coordination/_presence.html",
            {"p": participation, "presences": Presence, "erreur": erreur, "peut_modifier": True},
        )
    if erreur:
        messages.error(request, erreur)
    return redirect(participation.evenement.get_absolute_url())


# --- Days and weeks --------------------------------------------------------------------------------------


@login_required
def mon_agenda(request):
    return _agenda_de(request, professionnel(request))


@login_required
def agenda_professionnel(request, public_id):
    """Another professional's day or week ("where is the kiné this afternoon?"), as the user may see it."""
    autre = get_in_scope_or_404(selectors.professionnels_visibles(request.user), public_id)
    return _agenda_de(request, autre)


@login_required
def choisir_professionnel(request):
    """The ESMS page's picker: to the chosen professional's agenda (404 for one the user may not open)."""
    autre = get_in_scope_or_404(selectors.professionnels_visibles(request.user), request.GET.get("pro"))
    return redirect("coordination:agenda_professionnel", public_id=autre.public_id)


def _agenda_de(request, qui):
    pro = professionnel(request)
    if not policy.etablissements_autorises(pro, Droit.COORDINATION_VOIR):
        raise Http404
    jour, vue = _jour(request)
    if vue == "semaine":
        lundi, debut, fin = selectors.semaine(jour)
    else:
        lundi, (debut, fin) = None, selectors.journee(jour)
    evenements = list(selectors.agenda_du_professionnel(pro, qui, debut, fin))
    return render(
        request,
        "coordination/agenda.html",
        {
            "titre": "Mon agenda" if qui.pk == pro.pk else f"Agenda de {qui.get_full_name()}",
            "soi": qui.pk == pro.pk,
            "bascule": True,
            "jour": jour,
            "vue": vue,
            "evenements": evenements,
            "semaine": _par_jour(evenements, lundi) if lundi else None,
            "precedent": jour - datetime.timedelta(days=7 if vue == "semaine" else 1),
            "suivant": jour + datetime.timedelta(days=7 if vue == "semaine" else 1),
            "etablissements": selectors.etablissements_coordination(pro),
        },
    )


@login_required
def unite(request, public_id):
    objet = unite_ou_404(request.user, Droit.COORDINATION_VOIR, public_id)
    jour, vue = _jour(request)
    lundi = None
    if vue == "semaine":
        lundi = jour - datetime.timedelta(days=jour.weekday())
        evenements = list(
            selectors.agenda_de_l_unite(request.user, objet, lundi, lundi + datetime.timedelta(days=6))
        )
    else:
        evenements = list(selectors.agenda_de_l_unite(request.user, objet, jour))
    journaliser_personnes(
        request,
        TypeAcces.LECTURE,
        [e.usager for e in evenements if e.usager_id],
        f"Agenda de l'unité {objet}",
        objet.etablissement_id,
    )
    return render(
        request,
        "coordination/agenda.html",
        {
            "titre": f"{'Semaine' if lundi else 'Journée'} — {objet.etablissement.nom}, {objet.nom}",
            "jour": jour,
            "vue": vue,
            "evenements": evenements,
            "semaine": _par_jour(evenements, lundi) if lundi else None,
            "bascule": True,
            "precedent": jour - datetime.timedelta(days=7 if lundi else 1),
            "suivant": jour + datetime.timedelta(days=7 if lundi else 1),
        },
    )


@login_required
def ressource(request, public_id):
    objet = get_in_scope_or_404(
        selectors.ressources_visibles(request.user).select_related("etablissement"), public_id
    )
    jour, _ = _jour(request)
    lundi, debut, fin = selectors.semaine(jour)
    evenements = list(selectors.agenda_de_la_ressource(request.user, objet, debut, fin))
    occupes = selectors.creneaux_occupes(request.user, objet, debut, fin, {e.pk for e in evenements})
    return render(
        request,
        "coordination/agenda.html",
        {
            "titre": f"{objet.get_genre_display()} — {objet.nom}",
            "jour": jour,
            "vue": "semaine",
            "evenements": evenements,
            "semaine": _par_jour(evenements, lundi),
            "occupes": occupes,
            "ressource": objet,
            "precedent": jour - datetime.timedelta(days=7),
            "suivant": jour + datetime.timedelta(days=7),
        },
    )


@login_required
def etablissement(request, public_id):
    """The ESMS's coordination: the week's activities and external rendez-vous, today's transports, the
    resources (declared by the management)."""
    objet = get_for_user_or_404(request.user, Droit.COORDINATION_VOIR, Etablissement.objects.all(), public_id)
    jour, _ = _jour(request)
    lundi, debut, fin = selectors.semaine(jour)
    form = RessourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            services.do_creer_ressource(
                request.user,
                objet,
                form.cleaned_data["genre"],
                form.cleaned_data["nom"],
                form.cleaned_data["places"],
            )
            messages.success(request, "Ressource ajoutée.")
            return redirect(reverse("coordination:etablissement", args=[objet.public_id]))
    semaine = list(
        selectors.agenda_de_l_etablissement(
            request.user,
            objet,
            debut,
            fin,
            (GenreEvenement.RDV_EXTERNE, GenreEvenement.ACTIVITE, GenreEvenement.REUNION),
        )
    )
    journaliser_personnes(
        request, TypeAcces.LECTURE, [e.usager for e in semaine if e.usager_id], f"Agenda de {objet}", objet.pk
    )
    return render(
        request,
        "coordination/etablissement.html",
        {
            "etablissement": objet,
            "parametres_export": {"etablissement": objet.public_id},
            "jour": jour,
            "semaine": _par_jour(semaine, lundi),
            "transports": [
                e for e in semaine if hasattr(e, "transport") and timezone.localtime(e.debut).date() == jour
            ],
            "ressources": selectors.ressources(request.user, objet),
            "professionnels": selectors.professionnels_de(objet).only("public_id", "nom", "prenom"),
            "feuille": selectors.feuilles(request.user, objet).filter(jour=jour).first(),
            "form": form,
            "peut_gerer": objet.pk in policy.etablissements_autorises(request.user, Droit.PILOTAGE_VOIR)
            and objet.pk in policy.etablissements_autorises(request.user, Droit.COORDINATION_MODIFIER),
            "peut_planifier": objet.pk
            in policy.etablissements_autorises(request.user, Droit.COORDINATION_MODIFIER),
            "precedent": jour - datetime.timedelta(days=7),
            "suivant": jour + datetime.timedelta(days=7),
        },
    )


@login_required
def nouvelle_activite(request, public_id):
    objet = get_for_user_or_404(
        request.user, Droit.COORDINATION_MODIFIER, Etablissement.objects.all(), public_id
    )
    personnes = selectors.personnes_de_l_etablissement(request.user, objet, Droit.COORDINATION_MODIFIER)
    form = ActiviteForm(
        request.POST or None,
        initial={"jour": timezone.localdate(), "intervalle": 1},
        ressources=selectors.ressources(request.user, objet),
        professionnels=selectors.professionnels_de(objet),
        personnes=personnes,
        partenaires=partenaires(request.user),
        projets=selectors.projets_de_l_etablissement(request.user, objet),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        with traitement(form):
            evenement = services.do_planifier(
                request.user,
                objet,
                genre=d["genre"],
                debut=d["debut"],
                fin=d["fin"],
                usager=d["usager"] if d["genre"] == GenreEvenement.REUNION else None,
                professionnels=list(d["professionnels"]),
                participants=list(d["participants"]) if d["genre"] == GenreEvenement.ACTIVITE else [],
                transport=form.transport(),
                regle=form.regle(),
                invites=list(d["partenaires"]) if d["genre"] == GenreEvenement.REUNION else [],
                projet=d["projet"] if d["genre"] == GenreEvenement.REUNION else None,
                **{c: d[c] for c in services.CHAMPS_EVENEMENT if c in d and c != "projet"},
            )
            messages.success(request, f"« {evenement.titre} » planifié {services._creneau(evenement)}.")
            return redirect(evenement.get_absolute_url())
    return render(request, "coordination/nouvelle_activite.html", {"etablissement": objet, "form": form})


# --- Home round --------------------------------------------------------------------------------------------


@login_required
def tournee(request):
    pro = professionnel(request)
    if not policy.etablissements_autorises(pro, Droit.COORDINATION_VOIR):
        raise Http404
    jour, _ = _jour(request)
    visites = list(selectors.tournee(pro, pro, jour))
    journaliser_personnes(
        request, TypeAcces.LECTURE, [v.usager for v in visites if v.usager_id], "Tournée à domicile", None
    )
    return render(
        request, "coordination/tournee.html", {"jour": jour, "visites": visites, "form": VisiteForm()}
    )


@login_required
@require_POST
def visite(request, public_id):
    objet = _evenement(request, public_id, Droit.COORDINATION_MODIFIER)
    if objet.genre != GenreEvenement.VISITE:
        raise Http404
    form = VisiteForm(request.POST)
    if form.is_valid():
        with traitement(request=request):
            fait = form.cleaned_data["fait"]
            services.do_changer_statut(
                request.user,
                objet,
                StatutEvenement.FAIT if fait else StatutEvenement.NON_FAIT,
                form.cleaned_data["motif"],
            )
            messages.success(request, f"Visite chez {objet.usager} notée {'faite' if fait else 'non faite'}.")
    else:
        messages.error(request, "Indiquez si la visite est faite.")
    return redirect(reverse("coordination:tournee") + f"?jour={timezone.localdate(objet.debut):%Y-%m-%d}")


# --- Calendar feeds ----------------------------------------------------------------------------------------


@login_required
def abonnements(request):
    pro = professionnel(request)
    form = JetonForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            _, secret = services.do_creer_jeton(pro, form.cleaned_data["libelle"])
            form = JetonForm()
    if not policy.etablissements_autorises(pro, Droit.COORDINATION_VOIR):
        raise Http404
    return render(
        request,
        "coordination/abonnements.html",
        {
            "form": form,
            "jetons": selectors.jetons_de(pro),
            "adresse": request.build_absolute_uri(reverse("coordination:flux", args=[secret]))
            if secret
            else None,
        },
    )


@login_required
@require_POST
def revoquer(request, public_id):
    pro = professionnel(request)
    jeton = get_in_scope_or_404(selectors.jetons_de(pro), public_id)
    with traitement(request=request):
        services.do_revoquer_jeton(pro, jeton)
        messages.success(request, "Abonnement révoqué : l'adresse ne donne plus rien.")
    return redirect("coordination:abonnements")


def flux(request, secret):
    """The iCalendar feed of a professional, for a phone's calendar: no session, a secret URL, 404 once
    revoked; initials and places only."""
    with auth_lookup():
        jeton = services.jeton_du_secret(secret)
        if jeton is None or not jeton.professionnel.is_active:
            raise Http404
        organisme_id, pro = jeton.organisme_id, jeton.professionnel
    with tenant_context(organisme_id):
        maintenant = timezone.now()
        evenements = selectors.agenda_du_professionnel(
            pro, pro, maintenant - datetime.timedelta(days=30), maintenant + datetime.timedelta(days=180)
        )
        contenu = ical.calendrier(pro, evenements, request.get_host())
        services.noter_lecture(jeton, maintenant)
    reponse = HttpResponse(contenu, content_type="text/calendar; charset=utf-8")
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
@require_POST
def demander_feuille(request, public_id):
    """Ask the worker for the ESMS's transport sheet of the chosen day."""
    objet = get_for_user_or_404(request.user, Droit.COORDINATION_VOIR, Etablissement.objects.all(), public_id)
    jour, _ = _jour(request)
    with traitement(request=request):
        services.demander_feuille_transports(objet, jour, professionnel(request))
        messages.success(request, "La feuille de transports est en préparation : actualisez dans un instant.")
    return redirect(reverse("coordination:etablissement", args=[objet.public_id]) + f"?jour={jour:%Y-%m-%d}")


@login_required
def feuille(request, public_id):
    from pathlib import Path

    from django.conf import settings
    from django.http import FileResponse

    from .models import FeuilleTransports, StatutFeuille

    objet = get_for_user_or_404(
        request.user,
        Droit.COORDINATION_VOIR,
        FeuilleTransports.objects.select_related("etablissement"),
        public_id,
    )
    if objet.statut != StatutFeuille.PRETE or not objet.fichier:
        raise Http404("La feuille n'est pas prête.")
    chemin = Path(settings.MEDIA_ROOT) / objet.fichier
    if not chemin.is_file():
        raise Http404("Le fichier de cette feuille est introuvable sur le serveur.")
    journaliser_acces(
        request,
        TypeAcces.IMPRESSION,
        objet.etablissement,
        f"Feuille de transports du {objet.jour:%d/%m/%Y}",
        etablissement_id=objet.etablissement_id,
    )
    reponse = FileResponse(
        chemin.open("rb"), content_type="application/pdf", filename=f"transports-{objet.jour:%Y-%m-%d}.pdf"
    )
    reponse["Cache-Control"] = "private, no-store"
    return reponse


@login_required
def statistiques(request, public_id):
    """Attendance at the ESMS's activities over a period (aggregates: no person named)."""
    from .forms import PeriodeForm

    objet = get_for_user_or_404(request.user, Droit.COORDINATION_VOIR, Etablissement.objects.all(), public_id)
    au = timezone.localdate()
    form = PeriodeForm(request.GET or None, initial={"du": au - datetime.timedelta(days=90), "au": au})
    du = au - datetime.timedelta(days=90)
    if form.is_valid():
        du, au = form.cleaned_data["du"] or du, form.cleaned_data["au"] or au
    return render(
        request,
        "coordination/statistiques.html",
        {
            "etablissement": objet,
            "form": form,
            "du": du,
            "au": au,
            **selectors.statistiques_activites(request.user, objet, du, au),
        },
    )
