"""Access to a dossier's content (rows with a usager and an ESMS): ``scope_contenu`` (SQL, any list),
``scope_contenu_du_dossier`` (one dossier) and ``can_contenu`` (one row) always agree, with object-level
DENY / GRANT exceptions and break-the-glass."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from guardian.shortcuts import assign_perm

from accompagnement.models import Observation
from dui.tenancy import tenant_context
from habilitations import policy
from habilitations.models import BrisDeGlace
from tests.factories import DispositifFactory, HabilitationFactory, ProfessionnelFactory, SejourFactory
from tests.usagers.conftest import creer_usager

pytestmark = pytest.mark.django_db


def test_the_three_answers_agree(og_a, og_b):
    usager = creer_usager(og_a, nom_naissance="Double", premier_prenom="Suivi", prenoms_naissance=["Suivi"])
    autre = creer_usager(
        og_a, nom_naissance="Autre", premier_prenom="Personne", prenoms_naissance=["Personne"]
    )
    with tenant_context(og_a.organisme.pk):
        SejourFactory(
            usager=usager,
            etablissement=og_a.mas,
            organisme=og_a.organisme,
            date_entree=datetime.date(2025, 1, 1),
        )
        lignes = [
            Observation.objects.create(
                organisme=og_a.organisme,
                usager=u,
                etablissement=e,
                auteur=og_a["educateur"],
                categorie="educatif",
                texte="x",
            )
            for u in (usager, autre)
            for e in (og_a.ehpad, og_a.mas)
            if u is usager or e == og_a.ehpad
        ]
        # an educator of the MAS only; one denied on the dossier; one granted on it; one in break-the-glass
        pros = {}
        # (a break-the-glass opens only the categories its holder's roles read: the psychologist's opens
        # the social record of the EHPAD, the administrative agent's opens none of it)
        roles = {"bdg": "psychologue", "bdg_admin": "agent_administratif"}
        for nom in ("mas", "refus", "accord", "bdg", "bdg_admin"):
            pro = pros[nom] = ProfessionnelFactory(organisme=og_a.organisme)
            DispositifFactory(professionnel=pro)
            HabilitationFactory(
                professionnel=pro,
                etablissement=og_a.mas if nom != "refus" else og_a.ehpad,
                role=roles.get(nom, "educateur"),
                debut=datetime.date(2025, 1, 1),
            )
        assign_perm("usagers.refuser_social", pros["refus"], usager)
        assign_perm("usagers.accorder_social", pros["accord"], usager)
        for nom in ("bdg", "bdg_admin"):
            BrisDeGlace.objects.create(
                organisme=og_a.organisme,
                professionnel=pros[nom],
                etablissement=og_a.ehpad,
                objet_type="usagers.usager",
                objet_id=usager.public_id,
                objet_libelle="Double",
                motif="Urgence de nuit : besoin des éléments du suivi éducatif.",
                expire_le=timezone.now() + datetime.timedelta(hours=1),
            )
        users = [*og_a.pros.values(), *pros.values(), og_b["educateur"]]
        attendu_vu = {}
        for user in users:
            policy.oublier(user)
            for action in ("social.voir", "social.modifier"):
                sql = set(
                    policy.scope_contenu(user, action, Observation.objects.all()).values_list("pk", flat=True)
                )
                dossier = set(
                    policy.scope_contenu_du_dossier(
                        user, action, Observation.objects.all(), usager
                    ).values_list("pk", flat=True)
                )
                une_a_une = {o.pk for o in lignes if policy.can_contenu(user, action, o)}
                assert sql == une_a_une, (user, action)
                assert dossier == {
                    pk for pk in sql if pk in {o.pk for o in lignes if o.usager_id == usager.pk}
                }
                attendu_vu[(user.pk, action)] = len(dossier)
    ehpad_obs, mas_obs = 1, 1
    assert attendu_vu[(og_a["educateur"].pk, "social.voir")] == ehpad_obs  # not the MAS row
    assert attendu_vu[(pros["mas"].pk, "social.voir")] == mas_obs  # not the EHPAD row
    assert attendu_vu[(pros["refus"].pk, "social.voir")] == 0  # DENY wins
    assert attendu_vu[(pros["accord"].pk, "social.voir")] == 2  # GRANT opens all ESMS
    assert attendu_vu[(pros["bdg"].pk, "social.voir")] == 2  # break-the-glass: read…
    assert attendu_vu[(pros["bdg"].pk, "social.modifier")] == mas_obs  # …not write (only its own ESMS)
    assert attendu_vu[(pros["bdg_admin"].pk, "social.voir")] == 0  # not beyond what one's roles read
    assert attendu_vu[(og_b["educateur"].pk, "social.voir")] == 0
