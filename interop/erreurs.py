"""How an exchange fails: the relay retries a temporary failure and stops on a definitive one."""


class EchecTemporaire(Exception):
    """The service did not answer usably (network, timeout, 5xx, busy): retried with a backoff."""


class EchecDefinitif(Exception):
    """The service refused the exchange (registry error, rejected recipient): retrying as is would fail
    again. The message is French and shown to the professional."""


class NonEnvoyable(EchecDefinitif):
    """The DUI itself refuses to send (identity not qualified, DMP opposition, document missing)."""


def contexte_tls(service: str, ca: str = "", certificat: str = "", cle: str = ""):
    """The client TLS context of a national service; a missing or unreadable file is a configuration error,
    said in French (the exchange ends in "échec" until an administrator fixes it and retries)."""
    import ssl

    try:
        contexte = ssl.create_default_context(cafile=ca or None)
        if certificat:
            contexte.load_cert_chain(certificat, cle or None)
    except (OSError, ssl.SSLError) as exc:
        raise EchecDefinitif(f"{service} : certificat ou autorité de certification illisible ({exc.__class__.__name__} "
                             f"sur {certificat or ca}) — vérifiez la configuration du serveur.") from exc
    return contexte
