"""The size of an uploaded file is limited while its body streams in, not after it has been stored.

``LimiteParFichier`` comes first in ``FILE_UPLOAD_HANDLERS``: it counts each file's bytes as they arrive and,
past ``DUI_MAX_DOCUMENT``, skips the rest of that file (Django reads it off the wire and throws it away; the
temporary file already written is closed and removed). The file then is absent from ``request.FILES`` and its
name is in ``request.fichiers_trop_gros``, for the form to say in French which file was too large. The whole
body is bounded before that by ``RequestBodyLimitMiddleware``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile


class LimiteParFichier(FileUploadHandler):
    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.recu = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.recu += len(raw_data)
        if self.recu > settings.DUI_MAX_DOCUMENT:
            if self.request is not None:
                refuses: list[str] = getattr(self.request, "fichiers_trop_gros", [])
                refuses.append(self.file_name or "fichier")
                setattr(self.request, "fichiers_trop_gros", refuses)  # noqa: B010 - not an HttpRequest field
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def fichiers_trop_gros(request: Any) -> list[str]:
    return list(getattr(request, "fichiers_trop_gros", []))


def taille_lisible(octets: int) -> str:
    """A size in French for a message: « 20 Mo », « 256 Ko »."""
    if octets >= 1024 * 1024:
        return f"{octets / (1024 * 1024):.0f} Mo"
    return f"{max(1, octets // 1024)} Ko"
