"""The outbox and the DMP feeding: atomicity, relay, backoff, final failure, retry / cancel, idempotency,
XDS metadata checked by the local endpoint (mutual TLS), replacement, masking, opposition, QUAL rule."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from documents.models import TypeDocument
from dui.tenancy import tenant_context
from interop import codes, services, xds
from interop.models import Envoi, StatutEnvoi
from tests.interop.conftest import MATRICULE, OID_NIR_TEST, document_pret, personne
from usagers.models import Consentement


@pytest.fixture(autouse=True)
def _tenant(og_a):
    with tenant_context(og_a.organisme.pk):
        yield


def demander(og, document, masquage=None, role="medecin"):
    return services.do_demander_envoi_dmp(og[role], document, masquage)


def test_rollback_of_the_request_leaves_no_exchange(og_a):
    document = document_pret(og_a, personne(og_a))
    with pytest.raises(RuntimeError), transaction.atomic():
        demander(og_a, document)
        assert Envoi.objects.count() == 1
        raise RuntimeError("la requête échoue après la demande")
    assert Envoi.objects.count() == 0


def test_relay_sends_to_the_dmp_with_the_xds_metadata(og_a, serveur_dmp, django_capture_on_commit_callbacks):
    document = document_pret(og_a, personne(og_a), type_document=TypeDocument.DLU)
    with django_capture_on_commit_callbacks(execute=True):
        envoi = demander(og_a, document, ["MASQUE_PS"])
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE, envoi.derniere_erreur
    assert (envoi.tentatives, envoi.reponse) == (1, "Accepté par le DMP")
    assert serveur_dmp.refus == [] and serveur_dmp.clients == ["ESMS de test DUI"]  # mutual TLS
    recu = serveur_dmp.documents[codes.oid_uuid(document.public_id)]
    assert recu["patient"] == f"{MATRICULE}^^^&{OID_NIR_TEST}&ISO"
    assert recu["type"] == "74207-2"
    assert recu["confidentialite"] == ["N", "MASQUE_PS"]
    assert b"<ClinicalDocument" in recu["cda"] and serveur_dmp.lots == {codes.oid_uuid(envoi.public_id)}


def test_request_metadata_in_detail(og_a):
    document = document_pret(og_a, personne(og_a))
    envoi = demander(og_a, document, ["INVISIBLE_PATIENT", "INVISIBLE_REPRESENTANTS_LEGAUX"])
    requete = xds.construire_requete(services.soumission(envoi), destination="https://dmp.test/repository")
    recue = xds.lire_requete(requete)
    assert recue.erreurs == []
    from lxml import etree

    racine = etree.fromstring(requete)
    # WS-Addressing: the endpoint, and the answer on the same connection
    assert racine.findtext(f".//{{{xds.WSA}}}To") == "https://dmp.test/repository"
    assert racine.findtext(f".//{{{xds.WSA}}}ReplyTo/{{{xds.WSA}}}Address") == xds.ANONYME
    sans_to = etree.fromstring(requete)
    to = sans_to.find(f".//{{{xds.WSA}}}To")
    to.getparent().remove(to)
    assert ("XDSRegistryMetadataError", "wsa:To ou wsa:ReplyTo absent") in xds.lire_requete(
        etree.tostring(sans_to)
    ).erreurs
    entree = racine.find(".//" + xds.R("ExtrinsicObject"))
    schemes = {c.get("classificationScheme"): c for c in entree.iter(xds.R("Classification"))}
    for nom in ("classCode", "typeCode", "formatCode", "healthcareFacilityTypeCode", "practiceSettingCode"):
        assert xds.SCHEMES[nom] in schemes, nom
    assert schemes[xds.SCHEMES["formatCode"]].get("nodeRepresentation") == "urn:ihe:iti:xds-sd:pdf:2008"
    auteur = schemes[xds.SCHEMES["author"]]
    institution = auteur.xpath(
        "rim:Slot[@name='authorInstitution']/rim:ValueList/rim:Value", namespaces=xds.NSMAP
    )
    assert institution[0].text.endswith(f"^IDNST^^^1{og_a.ehpad.finess_geographique}")
    assert recue.documents[codes.oid_uuid(document.public_id)]["confidentialite"] == [
        "N",
        "INVISIBLE_PATIENT",
        "INVISIBLE_REPRESENTANTS_LEGAUX",
    ]


def test_temporary_failures_back_off_then_end_in_echec(og_a, serveur_dmp, settings):
    settings.DUI_ENVOI_MAX_TENTATIVES, settings.DUI_ENVOI_DELAI_BASE, settings.DUI_ENVOI_DELAI_MAX = 4, 30, 90
    serveur_dmp.pannes = 10
    envoi = demander(og_a, document_pret(og_a, personne(og_a)))
    delais = []
    for _ in range(4):
        avant = timezone.now()
        Envoi.objects.filter(pk=envoi.pk).update(prochain_essai=avant)
        assert sum(services.relayer().values()) == 1
        envoi.refresh_from_db()
        delais.append(round((envoi.prochain_essai - avant).total_seconds()))
        assert services.relayer() == {"envoye": 0, "reessai": 0, "echec": 0}  # not due yet: nothing taken
    assert delais[:3] == [30, 60, 90]  # 30, 60, then capped at 90
    assert envoi.statut == StatutEnvoi.ECHEC and envoi.tentatives == 4
    assert envoi.derniere_erreur == "Le DMP a répondu 503 : nouvel essai plus tard. — abandon après 4 essais."
    # A professional retries once the service is back: it goes.
    serveur_dmp.pannes = 0
    services.do_relancer(og_a["infirmier"], envoi)
    assert services.relayer()["envoye"] == 1
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE and envoi.traite_par == og_a["infirmier"]


def test_registry_error_is_final_and_shown_in_french(og_a, serveur_dmp):
    usager = personne(og_a)
    v1 = document_pret(og_a, usager)
    v2 = document_pret(og_a, usager, remplace=v1)
    envoi = demander(og_a, v2)
    # The endpoint already holds this document id with another content: XDSNonIdenticalHash.
    serveur_dmp.documents[codes.oid_uuid(v2.public_id)] = {"hash": "0" * 40, "entry": "urn:uuid:x"}
    assert services.relayer() == {"envoye": 0, "reessai": 0, "echec": 1}
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ECHEC and envoi.tentatives == 1
    assert envoi.derniere_erreur.startswith("Refusé par le DMP — XDSNonIdenticalHash")


def test_replacement_of_a_version_already_in_the_dmp(og_a, serveur_dmp):
    usager = personne(og_a)
    v1 = document_pret(
        og_a,
        usager,
        type_document=TypeDocument.PROJET_PERSONNALISE,
        categorie="social",
        titre="Projet personnalisé",
    )
    demander(og_a, v1)
    assert services.relayer()["envoye"] == 1
    v2 = document_pret(
        og_a,
        usager,
        type_document=TypeDocument.PROJET_PERSONNALISE,
        categorie="social",
        titre="Projet personnalisé",
        remplace=v1,
    )
    demander(og_a, v2)
    assert services.relayer()["envoye"] == 1
    recu = serveur_dmp.documents[codes.oid_uuid(v2.public_id)]
    assert recu["remplace"] == [xds.entry_uuid(v1.public_id)]
    assert f'<setId root="{codes.oid_uuid(v1.public_id)}"/>'.encode() in recu["cda"]
    assert b'<versionNumber value="2"/>' in recu["cda"]


def test_resend_after_a_lost_acknowledgement_is_recognised(og_a, serveur_dmp):
    """The worker sent, then died before writing "envoyé": the next relay sends the same submission again;
    the registry refuses it as a real one does (XDSDuplicateUniqueIdInRegistry: same submission set
    uniqueId), stores nothing twice, and the exchange ends "envoyé" — the document is in the DMP."""
    envoi = demander(og_a, document_pret(og_a, personne(og_a)))
    services.relayer()
    Envoi.objects.filter(pk=envoi.pk).update(statut=StatutEnvoi.EN_ATTENTE)  # as if the result was lost
    assert services.relayer()["envoye"] == 1
    assert (len(serveur_dmp.documents), serveur_dmp.doublons, serveur_dmp.requetes) == (1, 1, 2)
    envoi.refresh_from_db()
    assert envoi.statut == StatutEnvoi.ENVOYE and envoi.reponse == "Déjà présent dans le DMP (renvoi reconnu)"


def test_asking_twice_is_refused(og_a):
    document = document_pret(og_a, personne(og_a))
    demander(og_a, document)
    with pytest.raises(ValidationError, match="déjà été demandé"):
        demander(og_a, document, role="infirmier")
    envoi = Envoi.objects.get()
    services.do_annuler(og_a["infirmier"], envoi)
    assert demander(og_a, document).statut == StatutEnvoi.EN_ATTENTE  # a cancelled one may be asked again
    with pytest.raises(ValidationError, match="déjà parti ou annulé"):
        services.do_annuler(og_a["infirmier"], envoi)


def test_not_qualified_identity_blocks_the_request_and_the_send(og_a, serveur_dmp):
    usager = personne(og_a, qualifiee=False)
    with pytest.raises(ValidationError, match="n'est pas qualifiée"):
        demander(og_a, document_pret(og_a, usager))
    qualifiee = personne(og_a, nom_naissance="Durand")
    envoi = demander(og_a, document_pret(og_a, qualifiee))
    type(qualifiee).objects.filter(pk=qualifiee.pk).update(statut_identite="RECUP")  # doubt after the request
    assert services.relayer()["echec"] == 1
    envoi.refresh_from_db()
    assert "n'est pas qualifiée" in envoi.derniere_erreur and serveur_dmp.requetes == 0


def test_dmp_opposition_blocks(og_a, serveur_dmp):
    usager = personne(og_a)
    document = document_pret(og_a, usager)
    envoi = demander(og_a, document)

    def consentement(reponse, jour):
        Consentement.objects.create(
            organisme=og_a.organisme,
            usager=usager,
            type_consentement="dmp",
            reponse=reponse,
            exprime_par="usager",
            date_recueil=jour,
            recueilli_par=og_a["infirmier"],
        )

    consentement("refuse", datetime.date(2026, 1, 10))
    assert services.relayer()["echec"] == 1
    envoi.refresh_from_db()
    assert (
        "s'est opposé(e) à l'alimentation de son DMP" in envoi.derniere_erreur and serveur_dmp.requetes == 0
    )
    services.do_annuler(og_a["medecin"], envoi)
    with pytest.raises(ValidationError, match="opposé"):
        demander(og_a, document)
    consentement("accepte", datetime.date(2026, 2, 1))  # the latest answer counts
    demander(og_a, document)
    assert services.relayer()["envoye"] == 1


def test_only_the_three_models_and_produced_documents(og_a):
    usager = personne(og_a)
    with pytest.raises(ValidationError, match="Seuls le projet personnalisé"):
        demander(
            og_a, document_pret(og_a, usager, type_document=TypeDocument.ORDONNANCE, categorie="medical")
        )
    en_preparation = document_pret(og_a, usager)
    type(en_preparation).objects.filter(pk=en_preparation.pk).update(statut="en_preparation")
    en_preparation.refresh_from_db()
    with pytest.raises(ValidationError, match="pas encore produit"):
        demander(og_a, en_preparation)


def test_rights(og_a, og_b):
    document = document_pret(og_a, personne(og_a))
    for user in (og_a["aide_soignant"], og_a["pharmacien"], og_a["agent_administratif"]):
        # aide-soignant: documents.voir only; pharmacien: no documents; agent: cannot read a "soins" document
        with pytest.raises(PermissionDenied):
            demander(og_a, document, role=next(r for r, p in og_a.pros.items() if p == user))
    envoi = demander(og_a, document)
    with pytest.raises(PermissionDenied):
        services.do_annuler(og_b["medecin"], envoi)
    with pytest.raises(PermissionDenied):
        services.do_annuler(og_a["aide_soignant"], envoi)


def test_client_certificate_is_required(og_a, serveur_dmp, settings):
    # the VIHF signed with the structure's certificate, but no TLS client certificate: the handshake fails
    settings.DUI_DMP_VIHF_CERT, settings.DUI_DMP_VIHF_KEY = settings.DUI_DMP_CERT, settings.DUI_DMP_KEY
    settings.DUI_DMP_CERT = settings.DUI_DMP_KEY = ""
    envoi = demander(og_a, document_pret(og_a, personne(og_a)))
    assert services.relayer()["reessai"] == 1
    envoi.refresh_from_db()
    assert envoi.derniere_erreur.startswith("Le DMP") and serveur_dmp.requetes == 0


def test_no_certificate_for_the_vihf_is_a_configuration_error(og_a, serveur_dmp, settings):
    settings.DUI_DMP_CERT = settings.DUI_DMP_KEY = ""
    envoi = demander(og_a, document_pret(og_a, personne(og_a)))
    assert services.relayer()["echec"] == 1
    envoi.refresh_from_db()
    assert "certificat de la structure (VIHF) non configuré" in envoi.derniere_erreur
    assert serveur_dmp.requetes == 0


def test_the_vihf_travels_signed_and_the_local_dmp_refuses_a_request_without_it(og_a, serveur_dmp):
    from lxml import etree

    from habilitations.models import Professionnel
    from interop import vihf

    Professionnel.objects.filter(pk=og_a["medecin"].pk).update(rpps="10101010101", profession="medecin")
    og_a["medecin"].refresh_from_db()
    envoi = demander(og_a, document_pret(og_a, personne(og_a)))
    soumission = services.soumission(envoi)
    securite = services.jeton_vihf(envoi, soumission)
    requete = xds.construire_requete(soumission, destination=serveur_dmp.url, securite=securite)
    ca = str(serveur_dmp.dossier / "ca.pem")
    assert xds.lire_requete(requete, ca_vihf=ca).erreurs == []
    racine = etree.fromstring(requete)
    jeton = racine.find(f".//{{{vihf.WSSE}}}Security/{{{vihf.SAML}}}Assertion")
    valeurs = {
        a.get("Name"): a.findtext(f"{{{vihf.SAML}}}AttributeValue")
        for a in jeton.iter(f"{{{vihf.SAML}}}Attribute")
    }
    assert valeurs["VIHF_Version"] == "4.0" and valeurs["Authentification_Mode"] == "INDIRECTE"
    assert valeurs["Identifiant_Structure"] == f"1{og_a.ehpad.finess_geographique}"
    assert valeurs["Secteur_Activite"] == "SA17^1.2.250.1.71.4.2.4"
    assert valeurs["urn:oasis:names:tc:xacml:2.0:resource:resource-id"] == soumission.patient_cx
    assert jeton.findtext(f"{{{vihf.SAML}}}Subject/{{{vihf.SAML}}}NameID") == "810101010101"
    (role,) = jeton.iter("{urn:hl7-org:v3}Role")
    assert (role.get("code"), role.get("codeSystem")) == ("10", "1.2.250.1.71.1.2.7")
    # without the token, with a tampered token, or for another person: refused
    sans = etree.fromstring(requete)
    securite_el = sans.find(f".//{{{vihf.WSSE}}}Security")
    securite_el.getparent().remove(securite_el)
    assert ("XDSRegistryError", "VIHF absent de l'en-tête WS-Security") in xds.lire_requete(
        etree.tostring(sans), ca_vihf=ca
    ).erreurs
    modifie = etree.fromstring(requete)
    for attribut in modifie.iter(f"{{{vihf.SAML}}}Attribute"):
        if attribut.get("Name") == "Identifiant_Structure":
            attribut.find(f"{{{vihf.SAML}}}AttributeValue").text = "1999999999"
    erreurs = xds.lire_requete(etree.tostring(modifie), ca_vihf=ca).erreurs
    assert any("signature invalide" in texte for _, texte in erreurs)


def test_a_restricted_document_never_goes_to_the_dmp(og_a, serveur_dmp):
    """« Restreinte : réservé aux professionnels (ni portail usager, ni DMP) » — at the request, and at the relay
    for a request made before the document was restricted."""
    from documents.models import Confidentialite, Document

    usager = personne(og_a)
    document = document_pret(og_a, usager)
    envoi = demander(og_a, document)
    Document.objects.filter(pk=document.pk).update(confidentialite=Confidentialite.RESTREINTE)
    assert services.relayer()["echec"] == 1
    envoi.refresh_from_db()
    assert "confidentialité restreinte" in envoi.derniere_erreur and serveur_dmp.requetes == 0
    services.do_annuler(og_a["medecin"], envoi)
    document.refresh_from_db()
    with pytest.raises(ValidationError, match="confidentialité restreinte"):
        demander(og_a, document)
    Document.objects.filter(pk=document.pk).update(confidentialite=Confidentialite.NORMALE)
    document.refresh_from_db()
    demander(og_a, document)
    assert services.relayer()["envoye"] == 1 and serveur_dmp.requetes == 1


def test_the_document_travels_as_an_mtom_xop_part_and_plain_soap_is_refused(og_a, serveur_dmp):
    from dui.transport import EchecDefinitif, HttpTransport
    from interop import mtom

    envoi = demander(og_a, document_pret(og_a, personne(og_a)))
    assert services.relayer()["envoye"] == 1
    content_type, corps = serveur_dmp.derniere_requete
    assert content_type.startswith("multipart/related;") and mtom.est_mtom(content_type)
    assert 'start-info="application/soap+xml"' in content_type
    [stocke] = serveur_dmp.documents.values()
    # the CDA is a binary part, not base64 in the envelope: its bytes are in the body as they are
    assert stocke["cda"] in corps and b"<xop:Include" in corps
    racine, piece = mtom.parties(corps, mtom._parametres(content_type).get_param("boundary"))
    assert "application/xop+xml" in racine[0]["content-type"] and piece[1] == stocke["cda"]
    cid = piece[0]["content-id"].strip("<>")
    assert f'href="cid:{cid}"'.encode() in racine[1]
    # the same request without MTOM: refused by the local DMP as the real one does
    transport = HttpTransport(
        serveur_dmp.url,
        service="Le DMP",
        certificat=str(serveur_dmp.dossier / "client.pem"),
        cle=str(serveur_dmp.dossier / "client.key"),
        ca=str(serveur_dmp.dossier / "ca.pem"),
    )
    soumission = services.soumission(envoi)
    with pytest.raises(EchecDefinitif, match="HTTP 415"):
        transport.envoyer(xds.construire_requete(soumission, destination=serveur_dmp.url), xds.CONTENT_TYPE)


def test_mtom_reading_names_what_is_broken():
    from lxml import etree

    from interop import mtom

    enveloppe = etree.fromstring(
        b'<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:x="urn:ihe:iti:xds-b:2007">'
        b'<s:Body><x:Document id="Doc1">Y2Rh</x:Document></s:Body></s:Envelope>'
    )
    corps, content_type = mtom.emballer(
        enveloppe, {"Doc1": b"<ClinicalDocument/>\r\n--pas une frontiere"}, xds.ACTION
    )
    relu = etree.fromstring(mtom.deballer(corps, content_type))
    import base64

    assert base64.b64decode(relu.findtext(".//{urn:ihe:iti:xds-b:2007}Document")) == (
        b"<ClinicalDocument/>\r\n--pas une frontiere"
    )
    sans_piece = corps[: corps.rindex(b"--MIMEBoundary")]
    sans_piece = sans_piece[: sans_piece.rindex(b"--MIMEBoundary")] + corps[corps.rindex(b"--MIMEBoundary") :]
    with pytest.raises(mtom.MtomIllisible, match="référencée mais absente"):
        mtom.deballer(sans_piece, content_type)
    with pytest.raises(mtom.MtomIllisible, match="frontière MIME absente"):
        mtom.deballer(corps, "multipart/related; type=application/xop+xml")
    # an answer sent as MTOM is read through its root part
    reponse = xds.reponse([])
    en_mtom, _ = mtom.emballer(etree.fromstring(reponse), {}, xds.ACTION)
    assert xds.lire_reponse(en_mtom) == "Accepté par le DMP"


def test_a_document_entered_in_error_is_withdrawn_from_the_dmp_by_iti57(og_a, serveur_dmp, client_de):
    from documents import services as documents_services
    from interop import mtom
    from interop.models import OperationEnvoi

    usager = personne(og_a)
    document = document_pret(og_a, usager)
    medecin = og_a["medecin"]
    jamais_envoye = document_pret(og_a, usager, titre="Autre DLU")
    documents_services.do_marquer_en_erreur(medecin, jamais_envoye, "Mauvais dossier")
    with pytest.raises(ValidationError, match="Ce document n'est pas dans le DMP : rien à retirer."):
        services.do_demander_retrait_dmp(medecin, jamais_envoye)
    demander(og_a, document)
    assert services.relayer()["envoye"] == 1
    [stocke] = serveur_dmp.documents.values()
    assert stocke["statut"] == xds.APPROUVE
    with pytest.raises(ValidationError, match="Marquez d'abord le document « saisi par erreur »"):
        services.do_demander_retrait_dmp(medecin, document)
    documents_services.do_marquer_en_erreur(medecin, document, "Document classé dans le mauvais dossier")
    assert services.motif_blocage_dmp(document) == "Document marqué saisi par erreur : il ne part pas au DMP."

    c = client_de(medecin)
    page = c.get(f"/echanges/document/{document.public_id}/").content.decode()
    assert "mais il est encore dans le DMP" in page and "Retirer du DMP" in page
    r = c.post(f"/echanges/document/{document.public_id}/", {"formulaire": "retrait"})
    assert r.status_code == 302
    retrait = Envoi.objects.get(operation=OperationEnvoi.RETRAIT)
    assert services.relayer()["envoye"] == 1
    retrait.refresh_from_db()
    assert (retrait.statut, retrait.reponse) == (StatutEnvoi.ENVOYE, "Retiré du DMP (document déprécié)")
    assert stocke["statut"] == xds.DEPRECIE  # the registry deprecated the entry
    content_type, corps = serveur_dmp.derniere_requete
    enveloppe = mtom.deballer(corps, content_type)
    assert xds.ACTION_MAJ.encode() in enveloppe and xds.MAJ_STATUT.encode() in enveloppe
    recue = xds.lire_requete(enveloppe, ca_vihf=str(serveur_dmp.dossier / "ca.pem"))
    assert recue.erreurs == [] and recue.mises_a_jour == [(stocke["entry"], xds.APPROUVE, xds.DEPRECIE)]
    # asked twice: refused in French; the page says it is withdrawn
    with pytest.raises(ValidationError, match="Cet envoi a déjà été demandé"):
        services.do_demander_retrait_dmp(medecin, document)
    assert (
        "Retiré du DMP (document déprécié)"
        in c.get(f"/echanges/document/{document.public_id}/").content.decode()
    )


def test_the_local_registry_refuses_a_status_change_it_cannot_apply(og_a, serveur_dmp):
    document = document_pret(og_a, personne(og_a))
    envoi = demander(og_a, document)
    s = services.soumission(envoi)
    securite = services.jeton_vihf(envoi, s)
    requete = xds.requete_retrait(s, destination=serveur_dmp.url, securite=securite)
    # never deposited: unknown to the registry
    assert serveur_dmp.recevoir(requete) == [
        ("XDSMetadataUpdateError", f"document inconnu pour cette personne : {s.document_entry}")
    ]
    # without the VIHF: refused before anything
    sans_vihf = xds.requete_retrait(s, destination=serveur_dmp.url)
    assert ("XDSRegistryError", "VIHF absent de l'en-tête WS-Security") in serveur_dmp.recevoir(sans_vihf)
