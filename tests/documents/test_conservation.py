"""Retention (issue 18): the nightly job proposes the documents past their period, around the boundary, per
organisme; the DPO confirms the destruction, which erases the file and keeps the trace. The classification
plan is the organisme administrator's."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from documents import services, tasks
from documents.models import ClasseDocument, Document
from dui.models import JournalAcces
from dui.tenancy import tenant_context
from tests.factories import SejourFactory, UsagerFactory

from .conftest import classe, deposer, fichier, pdf_texte


def _document_du(tenant, personne, jour, code="piece-identite"):
    (d,) = deposer(tenant, personne, pdf_texte("Carte d'identité"), code=code, titre=f"Pièce du {jour}")
    with tenant_context(tenant.organisme.pk):
        Document.objects.filter(pk=d.pk).update(date_document=jour)  # an old paper, filed today
    return d


def _sorti(tenant, sortie):
    with tenant_context(tenant.organisme.pk):
        p = UsagerFactory(organisme=tenant.organisme)
        SejourFactory(usager=p, etablissement=tenant.ehpad, date_entree="2010-01-01", date_sortie=sortie)
    return p


def test_proposition_autour_de_la_limite(plan_a, personne):
    aujourdhui = timezone.localdate()
    with tenant_context(plan_a.organisme.pk):
        ClasseDocument.objects.filter(code="courrier-administratif").update(
            conservation_annees=2, conservation_depart="document"
        )
    limite = aujourdhui.replace(year=aujourdhui.year - 2)
    pile = _document_du(plan_a, personne, limite, "courrier-administratif")  # ends today: kept today
    veille = _document_du(plan_a, personne, limite - datetime.timedelta(days=1), "courrier-administratif")
    # counted from the exit: 1 year for an identity document; a person still accompanied keeps everything
    sorti_il_y_a_deux_ans = _sorti(plan_a, aujourdhui - datetime.timedelta(days=730))
    sorti_hier = _sorti(plan_a, aujourdhui - datetime.timedelta(days=1))
    ancien = _document_du(plan_a, sorti_il_y_a_deux_ans, datetime.date(2011, 1, 1))
    recent = _document_du(plan_a, sorti_hier, datetime.date(2011, 1, 1))
    present = _document_du(plan_a, personne, datetime.date(2011, 1, 1))
    with tenant_context(plan_a.organisme.pk):
        assert services.proposer_destructions(plan_a.organisme.pk, aujourdhui) == 2
        proposes = set(
            Document.objects.filter(destruction_proposee_le__isnull=False).values_list("pk", flat=True)
        )
    assert proposes == {veille.pk, ancien.pk}
    assert not {pile.pk, recent.pk, present.pk} & proposes
    with tenant_context(plan_a.organisme.pk):  # idempotent
        assert services.proposer_destructions(plan_a.organisme.pk, aujourdhui) == 0
        assert (
            services.proposer_destructions(plan_a.organisme.pk, aujourdhui + datetime.timedelta(days=1)) == 1
        )


def test_la_tache_de_nuit_reste_dans_son_organisme(plan_a, plan_b, personne):
    vieux_a = _document_du(plan_a, _sorti(plan_a, "2015-01-01"), datetime.date(2011, 1, 1))
    vieux_b = _document_du(plan_b, _sorti(plan_b, "2015-01-01"), datetime.date(2011, 1, 1))
    assert tasks.entretien.delay(organisme_id=plan_a.organisme.pk).get() == {"proposes": 1, "indexes": 0}
    with tenant_context(plan_b.organisme.pk):
        assert Document.objects.get(pk=vieux_b.pk).destruction_proposee_le is None
    with tenant_context(plan_a.organisme.pk):
        assert Document.objects.get(pk=vieux_a.pk).destruction_proposee_le == timezone.localdate()


def test_la_tache_de_nuit_rattrape_une_indexation_perdue(plan_a, personne):
    with tenant_context(plan_a.organisme.pk):
        (d,) = services.do_deposer(
            plan_a["infirmier"],
            usager=personne,
            sejour=personne.sejours.get(),
            classe=ClasseDocument.objects.get(code="courrier-medical"),
            fichiers=[fichier("a.pdf", pdf_texte("Perdu"))],
        )
        Document.objects.filter(pk=d.pk).update(cree_le=timezone.now() - datetime.timedelta(hours=2))
    assert tasks.entretien.delay(organisme_id=plan_a.organisme.pk).get()["indexes"] == 1
    with tenant_context(plan_a.organisme.pk):
        assert Document.objects.get(pk=d.pk).indexation == "faite"


def test_le_dpo_confirme_la_destruction_tracee(plan_a, plan_b, client_de, django_capture_on_commit_callbacks):
    d = _document_du(plan_a, _sorti(plan_a, "2015-01-01"), datetime.date(2011, 1, 1))
    with tenant_context(plan_a.organisme.pk):
        services.proposer_destructions(plan_a.organisme.pk, timezone.localdate())
        chemin = Path(settings.MEDIA_ROOT) / Document.objects.get(pk=d.pk).fichier.name
    assert chemin.exists()
    url = reverse("documents:conservation")
    assert client_de(plan_a["directeur"]).get(url).status_code == 404
    assert client_de(plan_a.admin).get(url).status_code == 404
    dpo = client_de(plan_a.dpo)
    page = dpo.get(url).content.decode()
    assert d.titre in page
    assert d.titre not in client_de(plan_b.dpo).get(url).content.decode()
    detruire = reverse("documents:detruire", args=[d.public_id])
    assert client_de(plan_b.dpo).post(detruire, {"motif": "Décision 2026-12"}).status_code == 404
    assert client_de(plan_a["directeur"]).post(detruire, {"motif": "Décision 2026-12"}).status_code == 404
    r = dpo.post(detruire, {"motif": ""})
    with tenant_context(plan_a.organisme.pk):
        assert Document.objects.get(pk=d.pk).detruit_le is None
    with django_capture_on_commit_callbacks(execute=True):
        r = dpo.post(detruire, {"motif": "Décision du DPO n° 2026-12"}, follow=True)
    assert "détruit ; la destruction est tracée" in r.content.decode()
    with tenant_context(plan_a.organisme.pk):
        d.refresh_from_db()
        assert d.detruit_le and d.detruit_par == plan_a.dpo and not d.fichier and d.texte == ""
        assert d.history.filter(detruit_le__isnull=False).exists()
        assert JournalAcces.objects.filter(professionnel=plan_a.dpo, type_acces="administration").exists()
    assert not chemin.exists()
    # a destroyed document is no longer served, nor listed, nor found
    infirmiere = client_de(plan_a["infirmier"])
    assert infirmiere.get(reverse("documents:fichier", args=[d.public_id])).status_code == 404


def test_plan_de_classement_par_l_administrateur(plan_a, og_b, client_de, personne):
    admin = client_de(plan_a.admin)
    assert client_de(plan_a["directeur"]).get(reverse("documents:plan")).status_code == 404
    page = admin.get(reverse("documents:plan")).content.decode()
    assert page.count('data-testid="classe"') == 12
    assert admin.post(reverse("documents:plan")).status_code == 302  # idempotent: nothing added twice
    with tenant_context(plan_a.organisme.pk):
        assert ClasseDocument.objects.count() == 12
    r = admin.post(
        reverse("documents:classe_nouvelle"),
        {
            "libelle": "Bilan d'ergothérapie",
            "categorie": "soins",
            "confidentialite": "normale",
            "conservation_annees": "20",
            "conservation_depart": "sortie",
            "ordre": "200",
            "actif": "on",
        },
    )
    assert r.status_code == 302
    with tenant_context(plan_a.organisme.pk):
        nouvelle = ClasseDocument.objects.get(code="bilan-dergotherapie")
    # bad input: a French message, nothing lost
    r = admin.post(
        reverse("documents:classe", args=[nouvelle.public_id]),
        {"libelle": "Bilan d'ergothérapie", "categorie": "soins", "conservation_annees": "0", "ordre": "1",
         "confidentialite": "normale", "conservation_depart": "sortie"},
    )  # fmt: skip
    assert r.status_code == 200 and "supérieure ou égale à 1" in r.content.decode()
    # a type already used keeps its category
    deposer(plan_a, personne, pdf_texte("x"), code="bilan-dergotherapie")
    r = admin.post(
        reverse("documents:classe", args=[nouvelle.public_id]),
        {"libelle": "Bilan d'ergothérapie", "categorie": "medical", "conservation_annees": "20", "ordre": "1",
         "confidentialite": "normale", "conservation_depart": "sortie"},
    )  # fmt: skip
    assert "Des documents sont déjà classés sous ce type" in r.content.decode().replace("&#x27;", "'")
    # the other organisme's administrator does not reach it, and has an empty plan
    admin_b = client_de(og_b.admin)
    assert admin_b.get(reverse("documents:classe", args=[nouvelle.public_id])).status_code == 404
    assert admin_b.get(reverse("documents:plan")).content.decode().count('data-testid="classe"') == 0
    assert classe(plan_a, "bilan-dergotherapie").categorie == "soins"


def test_sans_plan_le_formulaire_le_dit(og_a, client_de, personne):
    page = (
        client_de(og_a["infirmier"])
        .get(reverse("documents:deposer", args=[personne.public_id]))
        .content.decode()
    )
    assert "Le plan de classement de l'organisme est vide" in page.replace("&#x27;", "'")
