"""factory-boy factories. Tenant rows must be created inside ``tenant_context(organisme.pk)`` (the
database refuses them otherwise: row-level security applies to the tests too)."""

from __future__ import annotations

import itertools

import factory
import pyotp

from dui.chiffrement import chiffrer
from dui.models import Etablissement, OrganismeGestionnaire, Unite
from habilitations.models import DispositifTOTP, Habilitation, Professionnel

_finess = itertools.count(1)


def finess() -> str:
    return f"75{next(_finess):07d}"


class OrganismeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganismeGestionnaire

    raison_sociale = factory.Sequence(lambda n: f"Association {n}")
    finess_juridique = factory.LazyFunction(finess)


class EtablissementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Etablissement

    organisme = factory.SubFactory(OrganismeFactory)
    nom = factory.Sequence(lambda n: f"Établissement {n}")
    finess_geographique = factory.LazyFunction(finess)
    categorie = "EHPAD"


class UniteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unite

    etablissement = factory.SubFactory(EtablissementFactory)
    organisme = factory.SelfAttribute("etablissement.organisme")
    nom = factory.Sequence(lambda n: f"Unité {n}")


class ProfessionnelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Professionnel
        skip_postgeneration_save = True

    organisme = factory.SubFactory(OrganismeFactory)
    email = factory.Sequence(lambda n: f"pro{n}@exemple.test")
    nom = factory.Faker("last_name", locale="fr_FR")
    prenom = factory.Faker("first_name", locale="fr_FR")
    password = factory.django.Password("Un-mot-de-passe-solide-42")


class DispositifFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DispositifTOTP

    professionnel = factory.SubFactory(ProfessionnelFactory)
    organisme = factory.SelfAttribute("professionnel.organisme")
    secret = factory.LazyFunction(lambda: chiffrer(pyotp.random_base32()))
    confirme = True


class HabilitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Habilitation

    professionnel = factory.SubFactory(ProfessionnelFactory)
    etablissement = factory.SubFactory(EtablissementFactory)
    organisme = factory.SelfAttribute("etablissement.organisme")
    role = "infirmier"
    debut = factory.Faker("past_date")


class UsagerFactory(factory.django.DjangoModelFactory):
    """Create inside ``tenant_context``; give it a séjour (SejourFactory) so that it is reachable."""

    class Meta:
        model = "usagers.Usager"

    nom_naissance = factory.Faker("last_name", locale="fr_FR")
    premier_prenom = factory.Faker("first_name", locale="fr_FR")
    prenoms_naissance = factory.LazyAttribute(lambda o: [o.premier_prenom, "Marie"])
    date_naissance = factory.Faker("date_of_birth", minimum_age=60, maximum_age=100)
    sexe = "F"
    lieu_naissance_insee = "75056"


class SejourFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "usagers.Sejour"

    usager = factory.SubFactory(UsagerFactory)
    organisme = factory.SelfAttribute("etablissement.organisme")
    etablissement = factory.SubFactory(EtablissementFactory)
    mode_accueil = "permanent"
    date_entree = factory.Faker("past_date")
