"""Activities and meetings: registration with the projet personnalisé action served, attendance shown on the
PP page and in the ESMS's statistics; meetings with invited partners and relatives, linked to the PP."""

import datetime

from django.urls import reverse
from django.utils import timezone

from accompagnement.models import Action
from annuaire.models import Partenaire
from coordination import services
from coordination.forms import instant
from coordination.models import Evenement, InviteReunion, Participation
from dui.tenancy import tenant_context
from tests.accompagnement.conftest import projet_en_co_construction
from tests.soins.conftest import creer_resident
from usagers.models import Proche


def _action(tenant, pp):
    with tenant_context(tenant.organisme.pk):
        objectif = pp.objectifs.get()
        return Action.objects.create(
            organisme=tenant.organisme,
            objectif=objectif,
            libelle="Atelier mémoire hebdomadaire",
            intervenant="Animatrice",
        )


def _atelier(tenant, jour, participants=()):
    with tenant_context(tenant.organisme.pk):
        return services.do_planifier(
            tenant["educateur"],
            tenant.ehpad,
            genre="activite",
            titre="Atelier mémoire",
            capacite=6,
            participants=list(participants),
            debut=instant(jour, datetime.time(0)),
            fin=instant(jour, datetime.time(1)),
        )


def test_inscription_avec_action_du_pp_puis_suivi_sur_le_pp_et_statistiques(og_a, og_b, personne, client_de):
    pp = projet_en_co_construction(og_a, personne)
    action = _action(og_a, pp)
    atelier = _atelier(og_a, timezone.localdate())
    client = client_de(og_a["educateur"])
    page = client.get(atelier.get_absolute_url()).content.decode()
    assert "MARCHAND Odette — Atelier mémoire hebdomadaire" in page
    r = client.post(
        atelier.get_absolute_url(),
        {"quoi": "inscrire", "usager": personne.public_id, "action": action.public_id},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    r = client.post(atelier.get_absolute_url(), {"quoi": "inscrire", "usager": personne.public_id})
    assert "déjà inscrite" in r.content.decode()
    with tenant_context(og_a.organisme.pk):
        participation = Participation.objects.get()
    assert participation.action_id == action.pk
    client.post(reverse("coordination:presence", args=[participation.public_id]), {"presence": "present"})
    page_pp = client.get(reverse("accompagnement:projet", args=[pp.public_id])).content.decode()
    assert f"Activités : 1 présence sur 1 séance, dernière le {timezone.localdate():%d/%m/%Y}" in page_pp
    stats = client.get(reverse("coordination:statistiques", args=[og_a.ehpad.public_id])).content.decode()
    assert "<td>Atelier mémoire</td><td>1</td><td>1</td><td>0</td><td>0</td><td>0</td><td>100 %</td>" in stats
    assert "MARCHAND" not in stats  # aggregates only
    r = client.get(
        reverse("coordination:statistiques", args=[og_a.ehpad.public_id]),
        {"du": "2026-12-31", "au": "2026-01-01"},
    )
    assert "La fin de la période précède son début." in r.content.decode()
    assert (
        client_de(og_b["educateur"])
        .get(reverse("coordination:statistiques", args=[og_a.ehpad.public_id]))
        .status_code
        == 404
    )
    assert (
        client_de(og_a["pharmacien"])
        .get(reverse("coordination:statistiques", args=[og_a.ehpad.public_id]))
        .status_code
        == 404
    )


def test_l_action_d_une_autre_personne_est_refusee(og_a, personne):
    import pytest
    from django.core.exceptions import ValidationError

    autre = creer_resident(og_a, chambre="15", nom_naissance="Bernard")
    action = _action(og_a, projet_en_co_construction(og_a, autre))
    atelier = _atelier(og_a, timezone.localdate() + datetime.timedelta(days=1))
    with tenant_context(og_a.organisme.pk), pytest.raises(ValidationError, match="pas du projet"):
        services.do_inscrire(og_a["educateur"], atelier, personne, action)


def test_capacite_de_l_activite(og_a, personne):
    import pytest
    from django.core.exceptions import ValidationError

    autres = [creer_resident(og_a, chambre=str(30 + i), nom_naissance=f"Inscrit{i}") for i in range(2)]
    with tenant_context(og_a.organisme.pk):
        atelier = services.do_planifier(
            og_a["educateur"],
            og_a.ehpad,
            genre="activite",
            titre="Sortie",
            capacite=2,
            participants=autres,
            debut=instant(timezone.localdate(), datetime.time(2)),
            fin=instant(timezone.localdate(), datetime.time(3)),
        )
        with pytest.raises(ValidationError, match="complète"):
            services.do_inscrire(og_a["educateur"], atelier, personne)


def test_reunion_de_projet_avec_partenaire_et_proche(og_a, og_b, personne, client_de):
    pp = projet_en_co_construction(og_a, personne)
    with tenant_context(og_a.organisme.pk):
        mdph = Partenaire.objects.create(organisme=og_a.organisme, genre="mdph", nom="MDPH de Paris")
        fille = Proche.objects.create(
            organisme=og_a.organisme, usager=personne, nom="Durand", prenom="Claire", lien="enfant"
        )
    with tenant_context(og_b.organisme.pk):
        ailleurs = Partenaire.objects.create(organisme=og_b.organisme, genre="mdph", nom="MDPH du Rhône")
    client = client_de(og_a["educateur"])
    demain = timezone.localdate() + datetime.timedelta(days=1)
    donnees = {
        "genre": "reunion",
        "genre_reunion": "projet",
        "titre": "Réunion de projet",
        "jour": f"{demain:%Y-%m-%d}",
        "heure_debut": "14:00",
        "heure_fin": "15:00",
        "usager": personne.public_id,
        "projet": pp.public_id,
        "partenaires": [mdph.public_id],
        "ordre_du_jour": "Relecture des objectifs",
        "intervalle": "1",
        "professionnels": [og_a["educateur"].public_id],
    }
    url = reverse("coordination:nouvelle_activite", args=[og_a.ehpad.public_id])
    r = client.post(url, {**donnees, "partenaires": [ailleurs.public_id]})
    assert "Sélectionnez un choix valide" in r.content.decode()
    r = client.post(url, donnees)
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(og_a.organisme.pk):
        reunion = Evenement.objects.get()
        assert reunion.projet == pp and reunion.ordre_du_jour == "Relecture des objectifs"
        # the person the meeting is about is not booked; the professional is
        assert set(reunion.reservations.values_list("usager_id", "professionnel_id")) == {
            (None, og_a["educateur"].pk)
        }
    r = client.post(reunion.get_absolute_url(), {"quoi": "inviter", "proches": [fille.public_id]})
    assert r.status_code == 302
    page = client.get(reunion.get_absolute_url()).content.decode()
    assert "MDPH de Paris, Claire DURAND" in page and f"Version {pp.version}" in page
    with tenant_context(og_a.organisme.pk):
        assert InviteReunion.objects.count() == 2
    # the meeting is in the person's agenda, with its compte rendu once held
    assert (
        "Réunion de projet"
        in client.get(reverse("coordination:dossier", args=[personne.public_id])).content.decode()
    )
