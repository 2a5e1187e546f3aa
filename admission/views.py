"""Admission pages: waiting list (with ages), request, commission, admission, attachments."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Avg, Count, F, Q
from django.db.models.functions import Now
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dui.audit import journaliser_acces, journaliser_personnes
from dui.exports import nom_de_fichier_sur
from dui.forms import ajouter_erreurs, traitement
from dui.models import Etablissement, TypeAcces
from habilitations import policy
from habilitations.access import get_for_user_or_404
from habilitations.roles import Droit
from usagers.doublons import presenter_doublons
from usagers.services import DoublonProbable

from . import services
from .forms import AdmissionForm, AnnulationForm, DecisionForm, DemandeForm, PieceForm
from .models import OUVERTES, DemandeAdmission, StatutDemande


def _etablissements(user, action=Droit.ADMINISTRATIF_VOIR):
    return policy.scope(user, action, Etablissement.objects.filter(actif=True))


@login_required
def liste_attente(request):
    etablissements = list(_etablissements(request.user))
    if not etablissements:
        raise Http404
    choisi = next((e for e in etablissements if str(e.public_id) == request.GET.get("etablissement")), None)
    qs = policy.scope(request.user, Droit.ADMINISTRATIF_VOIR, DemandeAdmission.objects.all()).select_related(
        "etablissement"
    )
    if choisi:
        qs = qs.filter(etablissement=choisi)
    statut = request.GET.get("statut", "ouvertes")
    demandes = (
        qs.filter(statut__in=OUVERTES)
        if statut == "ouvertes"
        else (qs.filter(statut=statut) if statut in StatutDemande.values else qs)
    )
    synthese = (
        qs.filter(statut__in=OUVERTES)
        .values("etablissement__nom")
        .annotate(
            total=Count("id"),
            urgentes=Count("id", filter=Q(priorite=1)),
            anciennete=Avg(Now() - F("date_reception")),
        )
        .order_by("etablissement__nom")
    )
    affichees = list(demandes.order_by("priorite", "date_reception")[:300])
    journaliser_personnes(request, TypeAcces.LECTURE, affichees, "Liste d'attente (demande affichée)")
    return render(
        request,
        "admission/liste_attente.html",
        {
            "demandes": affichees,
            "etablissements": etablissements,
            "choisi": choisi,
            "statut": statut,
            "statuts": StatutDemande.choices,
            "synthese": synthese,
            "peut_creer": _etablissements(request.user, Droit.ADMINISTRATIF_MODIFIER).exists(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def nouvelle(request):
    etablissements = _etablissements(request.user, Droit.ADMINISTRATIF_MODIFIER)
    if not etablissements.exists():
        raise Http404
    form = DemandeForm(
        request.POST or None, etablissements=etablissements, initial={"date_reception": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        with traitement(form, refus_404=False):
            demande = services.do_enregistrer_demande(request.user, form.instance)
            messages.success(request, "Demande enregistrée sur la liste d'attente.")
            return redirect(demande.get_absolute_url())
    return render(request, "admission/demande_form.html", {"form": form})


def _demande(request, public_id, action=Droit.ADMINISTRATIF_VOIR) -> DemandeAdmission:
    return get_for_user_or_404(
        request.user, action, DemandeAdmission.objects.select_related("etablissement", "usager"), public_id
    )


@login_required
@require_http_methods(["GET", "POST"])
def demande(request, public_id):
    demande = _demande(request, public_id)
    journaliser_acces(request, TypeAcces.LECTURE, demande, f"Demande d'admission {demande}")
    user = request.user
    peut_modifier = policy.can(user, Droit.ADMINISTRATIF_MODIFIER, demande)
    peut_decider = policy.can(user, Droit.PILOTAGE_MODIFIER, demande)
    decision_form = DecisionForm(
        request.POST if "decision" in request.POST else None,
        initial={"date_commission": timezone.localdate()},
        prefix="commission",
    )
    admission_form = AdmissionForm(
        request.POST if "admettre" in request.POST else None,
        unites=demande.etablissement.unites.filter(active=True),
        initial={"date_entree": demande.date_souhaitee or timezone.localdate()},
    )
    piece_form = PieceForm(
        request.POST if "piece" in request.POST else None, request.FILES if "piece" in request.POST else None
    )
    annulation_form = AnnulationForm(request.POST if "annuler" in request.POST else None)
    doublons: dict = {}
    if request.method == "POST":
        try:
            if "decision" in request.POST and peut_decider and decision_form.is_valid():
                services.do_decider(user, demande, decision_form.instance)
                messages.success(request, "Décision de la commission enregistrée.")
                return redirect(demande.get_absolute_url())
            if "admettre" in request.POST and peut_modifier and admission_form.is_valid():
                data = admission_form.cleaned_data
                usager = services.do_prononcer_admission(
                    user,
                    demande,
                    date_entree=data["date_entree"],
                    unite=data["unite"],
                    chambre=data["chambre"],
                    confirmer_doublon=data["confirmer_doublon"],
                )
                messages.success(request, f"Admission prononcée : séjour ouvert pour {usager}.")
                return redirect(usager.get_absolute_url())
            if "piece" in request.POST and peut_modifier and piece_form.is_valid():
                services.do_ajouter_piece(
                    user, demande, piece_form.cleaned_data["fichier"], piece_form.cleaned_data["libelle"]
                )
                messages.success(request, "Pièce jointe ajoutée.")
                return redirect(demande.get_absolute_url())
            if "annuler" in request.POST and peut_modifier and annulation_form.is_valid():
                services.do_annuler(user, demande, annulation_form.cleaned_data["motif"])
                messages.success(request, "Demande close (annulation / désistement).")
                return redirect(demande.get_absolute_url())
            if not (peut_modifier or peut_decider):
                raise Http404
        except DoublonProbable as exc:
            doublons = presenter_doublons(request, exc.doublons)
            admission_form.add_error(None, exc.messages[0])
        except ValidationError as exc:
            cible = (
                decision_form
                if "decision" in request.POST
                else admission_form
                if "admettre" in request.POST
                else piece_form
                if "piece" in request.POST
                else annulation_form
            )
            ajouter_erreurs(cible, exc)
    return render(
        request,
        "admission/demande.html",
        {
            "demande": demande,
            "decisions": demande.decisions.select_related("auteur"),
            "pieces": demande.pieces.select_related("depose_par"),
            "peut_modifier": peut_modifier,
            "peut_decider": peut_decider,
            "decision_form": decision_form,
            "admission_form": admission_form,
            "piece_form": piece_form,
            "annulation_form": annulation_form,
            **doublons,
        },
    )


@login_required
def piece(request, public_id, piece_id):
    demande = _demande(request, public_id)
    piece = demande.pieces.filter(public_id=piece_id).first()
    if piece is None or not piece.fichier:
        raise Http404
    journaliser_acces(request, TypeAcces.LECTURE, demande, f"Pièce jointe « {piece.libelle} »")
    return FileResponse(
        piece.fichier.open("rb"),
        as_attachment=False,
        filename=nom_de_fichier_sur(piece.fichier.name.rsplit("/", 1)[-1], "piece-jointe"),
    )
