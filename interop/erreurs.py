"""How an exchange fails: the relay retries a temporary failure and stops on a definitive one. The two
failure types are those of the shared transport (``dui.transport``)."""

from dui.transport import EchecDefinitif, EchecTemporaire

__all__ = ["EchecDefinitif", "EchecTemporaire", "NonEnvoyable"]


class NonEnvoyable(EchecDefinitif):
    """The DUI itself refuses to send (identity not qualified, DMP opposition, document missing)."""
