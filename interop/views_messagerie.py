"""Pages of the MSSanté inbox: the received messages of the ESMS where one files documents, a message (read,
file it in a dossier, set it aside), its attachments, the relève on demand, and the mailbox's settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from documents.models import ClasseDocument
from dui.audit import journaliser_acces
from dui.exports import nom_de_fichier_sur
from dui.forms import choix_etablissements, traitement
from dui.models import Etablissement, TypeAcces
from dui.queue import enqueue_on_commit
from habilitations import policy
from habilitations.access import for_tenant, get_for_user_or_404, get_in_scope_or_404
from habilitations.roles import Droit
from usagers.models import Usager

from . import boite as services
from . import reception
from .forms import BoiteMssanteForm, ClasserMessageForm, EcarterMessageForm, FiltreMessagesForm
from .models import StatutMessage
from .selectors import boite_mssante, boites_mssante


def _etablissements(user) -> list[Etablissement]:
    return list(
        for_tenant(user, Etablissement.objects.filter(pk__in=services.boites_lisibles(user))).order_by("nom")
    )


@login_required
def liste(request):
    user = request.user
    etabs = _etablissements(user)
    if not etabs:
        raise Http404
    form = FiltreMessagesForm(request.GET or None)
    choix_etablissements(form, etabs)
    visibles = services.messages_visibles(user)
    messages_ = visibles
    statut = StatutMessage.A_CLASSER
    if form.is_bound and form.is_valid():
        if form.cleaned_data["etablissement"]:
            messages_ = messages_.filter(etablissement=form.cleaned_data["etablissement"])
        statut = form.cleaned_data["statut"]
    if statut:
        messages_ = messages_.filter(statut=statut)
    page = Paginator(messages_.order_by("-recu_le", "-id"), 50).get_page(request.GET.get("page"))
    boites = boites_mssante(user, etabs)
    comptes = visibles.aggregate(a_classer=Count("id", filter=Q(statut=StatutMessage.A_CLASSER)))
    administrables = policy.etablissements_autorises(user, Droit.ADMINISTRATION_MODIFIER)
    return render(
        request,
        "interop/messagerie/liste.html",
        {
            "form": form,
            "page": page,
            "boites": boites,
            "a_classer": comptes["a_classer"],
            "sans_boite": [e for e in etabs if e.pk not in {b.etablissement_id for b in boites}],
            "administrables": administrables,
        },
    )


def _message(user, public_id):
    return get_in_scope_or_404(services.messages_visibles(user), public_id)


def _usagers_du_message(user, message):
    """The people followed in the message's ESMS that the user may file documents for."""
    return (
        policy.scope(
            user,
            Droit.DOCUMENTS_MODIFIER,
            for_tenant(user, Usager.objects.filter(fusionne_dans__isnull=True)),
        )
        .filter(sejours__etablissement_id=message.etablissement_id)
        .distinct()
        .order_by("nom_naissance", "premier_prenom")
    )


def _classes(user):
    return for_tenant(user, ClasseDocument.objects.filter(actif=True)).order_by("ordre", "libelle")


def _formulaire_classement(user, message, donnees=None) -> ClasserMessageForm:
    """The filing form, the person recognised by the INS and the type named by the LOINC code preselected."""
    usagers, classes = _usagers_du_message(user, message), _classes(user)
    initial = {"titre": message.titre_document or message.sujet}
    if message.usager_propose_id and usagers.filter(pk=message.usager_propose_id).exists():
        initial["usager"] = message.usager_propose.public_id
    classe = classes.filter(code_loinc=message.code_type).first() if message.code_type else None
    if classe is not None:
        initial["classe"] = classe.public_id
    return ClasserMessageForm(usagers, classes, donnees, initial=initial)


def _page(request, message, form, ecart, status: int = 200):
    """The message's page (what it holds is read: journaled on the person it names)."""
    personne = message.usager or message.usager_propose
    if personne is not None:
        journaliser_acces(
            request, TypeAcces.LECTURE, personne, "Message MSSanté reçu", message.etablissement_id
        )
    a_classer = message.statut == StatutMessage.A_CLASSER
    return render(
        request,
        "interop/messagerie/detail.html",
        {
            "message": message,
            "form": form,
            "ecart": ecart,
            "a_classer": a_classer,
            "pdfs": len(services.pieces_a_classer(message)) if a_classer else 0,
        },
        status=status,
    )


@login_required
def detail(request, public_id):
    user = request.user
    message = _message(user, public_id)
    form = _formulaire_classement(user, message, request.POST or None)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            documents = services.do_classer(
                user,
                message,
                usager=form.cleaned_data["usager"],
                classe=form.cleaned_data["classe"],
                titre=form.cleaned_data["titre"],
            )
            messages.success(
                request,
                f"Message classé dans le dossier de {form.cleaned_data['usager']} "
                f"({len(documents)} document{'s' if len(documents) > 1 else ''}).",
            )
            return redirect("interop:message", public_id=message.public_id)
    return _page(request, message, form, EcarterMessageForm())


@login_required
@require_POST
def ecarter(request, public_id):
    user = request.user
    message = _message(user, public_id)
    form = EcarterMessageForm(request.POST)
    if form.is_valid():
        with traitement(form):
            services.do_ecarter(user, message, form.cleaned_data["motif"])
            messages.success(request, "Message écarté : il reste consultable dans la liste « Écarté ».")
            return redirect("interop:messagerie")
    return _page(request, message, _formulaire_classement(user, message), form, status=400)


@login_required
def piece(request, public_id, rang: int):
    """An attachment of the message (the raw message is the source: nothing was transformed)."""
    user = request.user
    message = _message(user, public_id)
    lu = reception.lire(services.lire_brut(message))
    pieces = list(lu.pieces)
    if lu.xdm is not None and lu.xdm.cda:
        pieces.append(reception.Piece("DOC0001.XML", "text/xml", lu.xdm.cda))
    if not 1 <= rang <= len(pieces):
        raise Http404
    choisie = pieces[rang - 1]
    personne = message.usager or message.usager_propose
    if personne is not None:
        journaliser_acces(request, TypeAcces.LECTURE, personne, f"Pièce jointe MSSanté « {choisie.nom} »")
    type_mime = choisie.type_mime if choisie.contenu.startswith(b"%PDF-") else "application/octet-stream"
    reponse = HttpResponse(choisie.contenu, content_type=type_mime)
    disposition = "inline" if type_mime == "application/pdf" else "attachment"
    reponse["Content-Disposition"] = f'{disposition}; filename="{nom_de_fichier_sur(choisie.nom)}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


@login_required
@require_POST
def relever(request):
    """Read the mailboxes now (the worker does it; the page says so)."""
    user = request.user
    etabs = _etablissements(user)
    if not etabs:
        raise Http404
    ids = [b.etablissement_id for b in boites_mssante(user, etabs) if b.active]
    for etablissement_id in ids:
        enqueue_on_commit(
            "interop.relever", organisme_id=user.organisme_id, etablissement_id=etablissement_id
        )
    if ids:
        messages.success(
            request, "Relève demandée : les nouveaux messages apparaissent dans une minute environ."
        )
    else:
        messages.error(request, "Aucune boîte MSSanté active à relever pour vos établissements.")
    return redirect("interop:messagerie")


@login_required
def configurer_boite(request, etablissement_id):
    user = request.user
    etablissement = get_for_user_or_404(
        user, Droit.ADMINISTRATION_MODIFIER, Etablissement.objects.all(), etablissement_id
    )
    boite = boite_mssante(user, etablissement)
    initial = {"adresse": boite.adresse, "active": boite.active} if boite else {"active": True}
    form = BoiteMssanteForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with traitement(form):
            services.do_configurer_boite(
                user, etablissement, adresse=form.cleaned_data["adresse"], active=form.cleaned_data["active"]
            )
            messages.success(request, f"Boîte MSSanté de {etablissement.nom} enregistrée.")
            return redirect("interop:messagerie")
    return render(
        request,
        "interop/messagerie/boite.html",
        {"form": form, "etablissement": etablissement, "boite": boite},
    )
