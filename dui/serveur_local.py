"""Base of the local test servers that speak a national service's protocol (INSi, DMP, FHIR): threaded HTTP
on loopback only, started in a daemon thread, with simulated outages (``pannes``: the next N requests
answer 503). Used by the tests, the demo (``bin/run``) and the benches."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class ServeurLocal(ThreadingHTTPServer):
    daemon_threads = True
    schema = "http"
    chemin = "/"

    def __init__(self, port: int, gestionnaire: type[BaseHTTPRequestHandler]) -> None:
        self.pannes = 0
        self._verrou = threading.Lock()
        super().__init__(("127.0.0.1", port), gestionnaire)

    @property
    def url(self) -> str:
        return f"{self.schema}://127.0.0.1:{self.server_address[1]}{self.chemin}"

    def demarrer(self) -> Self:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def arreter(self) -> None:
        self.shutdown()
        self.server_close()

    def en_panne(self) -> bool:
        """True (and one outage fewer) when this request must fail with a 503."""
        with self._verrou:
            if self.pannes > 0:
                self.pannes -= 1
                return True
        return False
