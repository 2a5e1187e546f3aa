"""Professionals, their habilitations per ESMS, object-level exceptions, break-the-glass, and the
authentication data (second factor, recovery codes, authentication events)."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from guardian.models import UserObjectPermissionBase

from dui.models import Etablissement, OrganismeGestionnaire, TenantModel, tenant_history
from dui.periodes import Periode, PeriodeQuerySet

from .roles import Role


class Profession(models.TextChoices):
    MEDECIN = "medecin", "Médecin"
    INFIRMIER = "infirmier", "Infirmier / infirmière"
    CADRE_SANTE = "cadre_sante", "Cadre de santé"
    AIDE_SOIGNANT = "aide_soignant", "Aide-soignant(e)"
    AES = "aes", "Accompagnant éducatif et social"
    PHARMACIEN = "pharmacien", "Pharmacien"
    PREPARATEUR = "preparateur", "Préparateur en pharmacie"
    KINESITHERAPEUTE = "kinesitherapeute", "Masseur-kinésithérapeute"
    ERGOTHERAPEUTE = "ergotherapeute", "Ergothérapeute"
    PSYCHOLOGUE = "psychologue", "Psychologue"
    EDUCATEUR_SPECIALISE = "educateur_specialise", "Éducateur spécialisé"
    MONITEUR_EDUCATEUR = "moniteur_educateur", "Moniteur éducateur"
    ASSISTANT_SOCIAL = "assistant_social", "Assistant(e) de service social"
    DIRECTEUR = "directeur", "Directeur / directrice"
    CHEF_SERVICE = "chef_service", "Chef de service"
    ADMINISTRATIF = "administratif", "Personnel administratif"
    AUTRE = "autre", "Autre"


rpps_validator = RegexValidator(r"^\d{11}$", "Le numéro RPPS compte 11 chiffres.")


class ProfessionnelManager(BaseUserManager["Professionnel"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Professionnel:
        if not email:
            raise ValueError("L'adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_platform_admin(self, email: str, password: str | None = None, **extra: Any) -> Professionnel:
        return self.create_user(email, password, est_admin_plateforme=True, organisme=None, **extra)

    def get_by_natural_key(self, email: str | None) -> Professionnel:
        return self.get(email__iexact=email)


class Professionnel(AbstractBaseUser):
    """A professional, logging in by e-mail. Belongs to exactly one organisme gestionnaire; platform
    administrators belong to none and see no tenant data."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisme = models.ForeignKey(
        OrganismeGestionnaire, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.EmailField("adresse e-mail", unique=True)
    nom = models.CharField(max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    profession = models.CharField(max_length=30, choices=Profession.choices, default=Profession.AUTRE)
    rpps = models.CharField(
        "numéro RPPS",
        max_length=11,
        blank=True,
        validators=[rpps_validator],
        help_text="11 chiffres (RPPS ou RPPS+) : permet la connexion par Pro Santé Connect.",
    )
    is_active = models.BooleanField("actif", default=True)
    est_admin_plateforme = models.BooleanField("administrateur de la plateforme", default=False)
    est_admin_organisme = models.BooleanField("administrateur de l'organisme", default=False)
    est_dpo = models.BooleanField("délégué à la protection des données", default=False)
    date_joined = models.DateTimeField("créé le", default=timezone.now)
    desactive_le = models.DateTimeField(null=True, blank=True)
    doit_changer_mot_de_passe = models.BooleanField("doit changer son mot de passe", default=False)
    # a password set by an administrator opens one session, before this date
    mot_de_passe_temporaire_expire_le = models.DateTimeField(null=True, blank=True)
    # Bumped by a PostgreSQL trigger on every change of the professional's habilitations, exceptions or
    # break-the-glass accesses: the policy's per-process cache of their rights is keyed by it (issue 16).
    droits_version = models.PositiveBigIntegerField(default=0, db_default=0, editable=False)
    # Pro Santé Connect: the ``sub`` of the PSC account linked at the first PSC login whose national
    # identifier matched ``rpps`` (habilitations.psc); cleared when an administrator changes the RPPS.
    psc_sub = models.CharField("compte Pro Santé Connect lié", max_length=255, blank=True, editable=False)
    psc_lie_le = models.DateTimeField("lié à Pro Santé Connect le", null=True, blank=True, editable=False)
    history = tenant_history(excluded_fields=["password", "last_login"])

    objects = ProfessionnelManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["nom", "prenom"]

    class Meta:
        verbose_name = "professionnel"
        ordering = ["nom", "prenom"]
        indexes = [models.Index(fields=["organisme", "nom", "prenom"], name="pro_org_nom_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(est_admin_plateforme=True) | Q(organisme__isnull=False),
                name="professionnel_a_un_organisme",
            ),
            models.CheckConstraint(
                condition=Q(est_admin_plateforme=False) | Q(organisme__isnull=True),
                name="admin_plateforme_hors_organisme",
            ),
            # a national identifier designates one account per organisme (the Pro Santé Connect login)
            models.UniqueConstraint(
                fields=["organisme", "rpps"],
                condition=~Q(rpps=""),
                name="professionnel_rpps_unique",
                violation_error_message="Ce numéro RPPS est déjà celui d'un autre professionnel de l'organisme.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prenom} {self.nom}".strip() or self.email

    def get_full_name(self) -> str:
        return str(self)

    def get_short_name(self) -> str:
        return self.prenom

    @property
    def identifiant_national(self) -> str:
        """The national id used by Pro Santé Connect: ``8`` + RPPS."""
        return f"8{self.rpps}" if self.rpps else ""

    def clean(self) -> None:
        super().clean()
        self.email = (self.email or "").strip().lower()


class Habilitation(TenantModel):
    """A professional's role in one ESMS, over a period (``fin`` included; empty = open-ended)."""

    periode = Periode("debut", "fin")
    objects = PeriodeQuerySet.as_manager()

    professionnel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="habilitations"
    )
    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="habilitations")
    role = models.CharField("rôle", max_length=30, choices=Role.choices)
    debut = models.DateField("début")
    fin = models.DateField("fin", null=True, blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "habilitation"
        ordering = ["etablissement__nom", "role"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fin__isnull=True) | Q(fin__gte=models.F("debut")),
                name="habilitation_fin_apres_debut",
            ),
        ]
        indexes = [
            models.Index(fields=["organisme", "professionnel", "etablissement"], name="hab_org_pro_idx"),
            models.Index(fields=["organisme", "etablissement", "role"], name="hab_org_etab_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.professionnel} — {self.get_role_display()} ({self.etablissement})"

    def clean(self) -> None:
        if self.fin and self.debut and self.fin < self.debut:
            raise ValidationError({"fin": "La date de fin ne peut pas précéder la date de début."})
        if self.professionnel_id and self.etablissement_id:
            if self.professionnel.organisme_id != self.etablissement.organisme_id:
                raise ValidationError(
                    "Le professionnel et l'établissement doivent relever du même organisme."
                )

    def est_active(self, jour: Any = None) -> bool:
        jour = jour or timezone.localdate()
        return self.debut <= jour and (self.fin is None or self.fin >= jour)


class ExceptionAccesBase(UserObjectPermissionBase):
    """Object-level DENY/GRANT exceptions, stored through django-guardian's direct foreign-key models
    (one table per protected model, each carrying ``organisme`` for row-level security).

    The permission codenames are ``refuser_<catégorie>`` (DENY, which always wins) and
    ``accorder_<catégorie>`` (GRANT). They are read in SQL by ``habilitations.policy``.
    """

    organisme = models.ForeignKey(OrganismeGestionnaire, on_delete=models.PROTECT, related_name="+")
    cree_le = models.DateTimeField(auto_now_add=True)

    content_object: Any  # the protected object: a ForeignKey declared by each concrete exception model

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.organisme_id:
            self.organisme_id = self.content_object.organisme_id
        super().save(*args, **kwargs)


class ExceptionAccesEtablissement(ExceptionAccesBase):
    content_object = models.ForeignKey(
        Etablissement, on_delete=models.CASCADE, related_name="exceptions_acces"
    )

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "exception d'accès à un établissement"
        indexes = [models.Index(fields=["organisme", "user"], name="exc_etab_org_user_idx")]


class BrisDeGlace(TenantModel):
    """An exceptional, reasoned, time-limited access to one object, reviewed afterwards by the director
    or the DPO (ARCHITECTURE.md §3)."""

    professionnel = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # the ESMS whose direction reviews it: the target's own, or the person's current one; none when the
    # person is followed in several or none (then the DPO reviews it)
    etablissement = models.ForeignKey(
        Etablissement, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    objet_type = models.CharField(max_length=60)
    objet_id = models.UUIDField()
    objet_libelle = models.CharField(max_length=255)
    motif = models.TextField(
        validators=[MinLengthValidator(20, "Le motif doit compter au moins 20 caractères.")]
    )
    debut = models.DateTimeField(default=timezone.now)
    expire_le = models.DateTimeField()
    revu_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revu_le = models.DateTimeField(null=True, blank=True)
    avis_revue = models.CharField(
        max_length=20, blank=True, choices=[("justifie", "Justifié"), ("injustifie", "Non justifié")]
    )
    commentaire_revue = models.TextField(blank=True)
    history = tenant_history()

    etablissement_path = "etablissement"

    class Meta:
        verbose_name = "accès exceptionnel (bris de glace)"
        verbose_name_plural = "accès exceptionnels (bris de glace)"
        ordering = ["-debut"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expire_le__gt=models.F("debut")), name="bdg_expire_apres_debut"
            ),
            models.CheckConstraint(condition=Q(motif__regex=r"^\s*\S(.|\n){18,}\S\s*$"), name="bdg_motif_20"),
        ]
        indexes = [
            models.Index(
                fields=["organisme", "professionnel", "objet_type", "objet_id"], name="bdg_org_pro_idx"
            ),
            models.Index(fields=["organisme", "etablissement", "revu_le"], name="bdg_org_revue_idx"),
        ]

    def est_actif(self, maintenant: datetime.datetime | None = None) -> bool:
        maintenant = maintenant or timezone.now()
        return bool(self.debut <= maintenant < self.expire_le)


class DispositifTOTP(models.Model):
    """The professional's TOTP second factor (RFC 6238). ``confirme`` once the first code was typed."""

    organisme = models.ForeignKey(
        OrganismeGestionnaire, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    professionnel = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dispositif_totp"
    )
    secret = models.CharField(max_length=255, help_text="Encrypted at rest (dui.chiffrement).")
    confirme = models.BooleanField(default=False)
    dernier_pas = models.BigIntegerField(default=0, help_text="Last accepted time step (anti-replay).")
    cree_le = models.DateTimeField(auto_now_add=True)
    # a (re-)enrolment needs a one-time code issued by the organisme's administrator, not the password alone
    empreinte_code_enrolement = models.CharField(max_length=128, blank=True)
    code_enrolement_expire_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "second facteur TOTP"
        indexes = [models.Index(fields=["organisme", "professionnel"], name="totp_org_pro_idx")]

    def __str__(self) -> str:
        return f"TOTP de {self.professionnel_id}"

    @property
    def secret_clair(self) -> str:
        from dui.chiffrement import dechiffrer

        return dechiffrer(self.secret)


class CodeSecours(models.Model):
    """Single-use recovery codes, stored hashed."""

    organisme = models.ForeignKey(
        OrganismeGestionnaire, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    professionnel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="codes_secours"
    )
    empreinte = models.CharField(max_length=128)
    utilise_le = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "code de secours"
        indexes = [models.Index(fields=["organisme", "professionnel"], name="code_secours_org_pro_idx")]

    def __str__(self) -> str:
        return f"Code de secours de {self.professionnel_id}"


class TypeEvenementAuth(models.TextChoices):
    SUCCES = "succes", "Connexion réussie"
    ECHEC_MOT_DE_PASSE = "echec_mdp", "Mot de passe refusé"
    ECHEC_SECOND_FACTEUR = "echec_2fa", "Second facteur refusé"
    VERROUILLE = "verrouille", "Tentative pendant un verrouillage"
    DECONNEXION = "deconnexion", "Déconnexion"
    INACTIVITE = "inactivite", "Déconnexion après inactivité"
    DUREE_MAXIMALE = "duree_max", "Déconnexion à la durée maximale de session"
    COMPTE_DESACTIVE = "desactive", "Compte désactivé"
    ECHEC_PSC = "echec_psc", "Connexion Pro Santé Connect refusée"
    LOCALE_REFUSEE = "psc_exige", "Mot de passe refusé : Pro Santé Connect exigé"
    REAUTHENTIFICATION = "reauth_psc", "Ré-authentification Pro Santé Connect"
    ECHEC_PIN = "echec_pin", "Code PIN refusé (tablette partagée)"
    VERROUILLAGE = "verrou_pos", "Tablette partagée verrouillée"


class MethodeAuth(models.TextChoices):
    LOCALE = "locale", "Mot de passe et second facteur"
    PSC = "psc", "Pro Santé Connect"
    PIN = "pin", "Code PIN sur une tablette partagée"


class EspaceAuth(models.TextChoices):
    PROFESSIONNELS = "pro", "Professionnels"
    PORTAIL = "portail", "Espace personne et proches"


class EvenementAuthentification(models.Model):
    """Every authentication success and failure, kept for the lockout and for the DPO."""

    organisme = models.ForeignKey(
        OrganismeGestionnaire, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    professionnel = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    espace = models.CharField(max_length=10, choices=EspaceAuth.choices, default=EspaceAuth.PROFESSIONNELS)
    email_saisi = models.CharField(max_length=254)
    type_evenement = models.CharField(max_length=20, choices=TypeEvenementAuth.choices)
    methode = models.CharField(max_length=10, choices=MethodeAuth.choices, default=MethodeAuth.LOCALE)
    motif = models.CharField("motif du refus", max_length=300, blank=True)
    adresse_ip = models.GenericIPAddressField(null=True, blank=True)
    agent_utilisateur = models.CharField(max_length=300, blank=True)
    horodatage = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "événement d'authentification"
        ordering = ["-horodatage"]
        indexes = [
            models.Index(fields=["email_saisi", "adresse_ip", "horodatage"], name="auth_evt_email_ip_idx"),
            models.Index(fields=["adresse_ip", "horodatage"], name="auth_evt_ip_idx"),
            models.Index(fields=["professionnel", "horodatage"], name="auth_evt_pro_idx"),
            models.Index(fields=["organisme", "-horodatage"], name="auth_evt_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.horodatage:%d/%m/%Y %H:%M} {self.email_saisi} {self.type_evenement}"


class NiveauPSC(models.TextChoices):
    REQUISE = "requise", "Exigée (mot de passe refusé)"
    PREFEREE = "preferee", "Proposée en premier (mot de passe possible)"
    DESACTIVEE = "desactivee", "Désactivée"


class PolitiquePSC(TenantModel):
    """The organisme's rule for Pro Santé Connect, chosen by its administrator: for each role (and for the
    organisme's administrators and DPO), PSC required, preferred or off; and how recent a PSC
    authentication must be to open a break-the-glass access. No row: PSC preferred for everyone, no
    re-authentication."""

    ADMIN_ORGANISME = "admin_organisme"
    DPO = "dpo"

    exigences = models.JSONField("exigence par rôle", default=dict, blank=True)
    reauth_bris_de_glace_minutes = models.PositiveSmallIntegerField(
        "bris de glace : authentification Pro Santé Connect datant de moins de (minutes)",
        null=True,
        blank=True,
    )
    history = tenant_history()

    class Meta:
        verbose_name = "politique Pro Santé Connect"
        indexes = [models.Index(fields=["organisme", "modifie_le"], name="politique_psc_org_idx")]
        constraints = [
            models.UniqueConstraint(fields=["organisme"], name="politique_psc_unique"),
            models.CheckConstraint(
                condition=Q(reauth_bris_de_glace_minutes__isnull=True)
                | Q(reauth_bris_de_glace_minutes__gte=1, reauth_bris_de_glace_minutes__lte=720),
                name="politique_psc_reauth_plausible",
            ),
        ]

    def __str__(self) -> str:
        return f"Politique Pro Santé Connect de l'organisme {self.organisme_id}"

    @classmethod
    def categories(cls) -> list[tuple[str, str]]:
        """Every key of ``exigences``: the roles, then the organisme's administrators and DPO."""
        return [
            *Role.choices,
            (cls.ADMIN_ORGANISME, "Administrateur de l'organisme"),
            (cls.DPO, "Délégué à la protection des données"),
        ]

    def niveau(self, categorie: str) -> str:
        valeur = (self.exigences or {}).get(categorie)
        return valeur if valeur in NiveauPSC.values else NiveauPSC.PREFEREE

    def clean(self) -> None:
        connues = {c for c, _ in self.categories()}
        for categorie, niveau in (self.exigences or {}).items():
            if categorie not in connues or niveau not in NiveauPSC.values:
                raise ValidationError({"exigences": f"Exigence inconnue : {categorie} = {niveau}."})


# --- Shared care tablets (issue 23, item 7; decision 0021) ---------------------------------------------


class PostePartage(TenantModel):
    """A care tablet enrolled by the organisme's administrator as a shared device of one ESMS. The browser
    keeps a random token in a long-lived cookie; only its SHA-256 is stored here. Revoking the device closes
    every shift opened on it."""

    etablissement_path = "etablissement"

    etablissement = models.ForeignKey(Etablissement, on_delete=models.PROTECT, related_name="+")
    libelle = models.CharField("nom de la tablette", max_length=80)
    empreinte_jeton = models.CharField(max_length=64, unique=True, editable=False)
    enrole_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    revoque_le = models.DateTimeField("révoquée le", null=True, blank=True)
    revoque_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "tablette partagée"
        ordering = ["libelle"]
        indexes = [models.Index(fields=["organisme", "etablissement"], name="poste_org_etab_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisme", "etablissement", "libelle"],
                condition=Q(revoque_le__isnull=True),
                name="poste_libelle_unique",
                violation_error_message="Une tablette de cet établissement porte déjà ce nom.",
            )
        ]

    def __str__(self) -> str:
        return self.libelle


class MotifFermeturePresence(models.TextChoices):
    FIN_DE_POSTE = "fin", "Fin de poste (déconnexion)"
    ESSAIS_PIN = "essais_pin", "Trop de codes PIN erronés"
    REVOCATION = "revocation", "Tablette révoquée"
    NOUVELLE_OUVERTURE = "nouvelle", "Nouvelle connexion complète sur la tablette"


class PresencePoste(models.Model):
    """A professional's shift on a shared tablet: opened by a full authentication (password and second
    factor, or Pro Santé Connect) on that tablet, it lets them take the tablet back with their PIN until it
    closes — end of shift, expiry, too many wrong PINs, revocation of the tablet."""

    organisme = models.ForeignKey(OrganismeGestionnaire, on_delete=models.PROTECT, related_name="+")
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    poste = models.ForeignKey(PostePartage, on_delete=models.CASCADE, related_name="presences")
    professionnel = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    methode = models.CharField(max_length=10, choices=MethodeAuth.choices)
    ouverte_le = models.DateTimeField(default=timezone.now)
    expire_le = models.DateTimeField()
    fermee_le = models.DateTimeField(null=True, blank=True)
    motif_fermeture = models.CharField(max_length=10, choices=MotifFermeturePresence.choices, blank=True)
    echecs_pin = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = "présence sur une tablette partagée"
        indexes = [models.Index(fields=["organisme", "poste", "fermee_le"], name="presence_org_poste_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["poste", "professionnel"],
                condition=Q(fermee_le__isnull=True),
                name="presence_ouverte_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.professionnel_id} sur {self.poste_id}"


class CodePIN(models.Model):
    """The professional's PIN for taking a shared tablet back within their shift, hashed like a password
    (Django's hasher); chosen after a full authentication, never with a PIN."""

    organisme = models.ForeignKey(OrganismeGestionnaire, on_delete=models.PROTECT, related_name="+")
    professionnel = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="code_pin"
    )
    empreinte = models.CharField(max_length=128)
    modifie_le = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "code PIN"
        indexes = [models.Index(fields=["organisme", "professionnel"], name="code_pin_org_pro_idx")]

    def __str__(self) -> str:
        return f"Code PIN de {self.professionnel_id}"
