"""A generic local HTTP server for the fakes: JSON answers, injected faults, a request log.

:class:`FakeHttpServer` is a threaded HTTP/1.1 server on 127.0.0.1 (a free port), started and
stopped as a context manager. A subclass provides :meth:`FakeHttpServer.answer` (the service)
and may provide :meth:`FakeHttpServer.validate` (checking each answer against the service's
schema, violations collected in ``schema_errors``, which the tests assert empty).

Faults are injected per path (:class:`Fault`): an HTTP status (429 with ``Retry-After``, 500),
or a delay longer than the client's timeout. ``latency`` delays every answer (for the timing
benchmark). Every request is recorded in ``requests``.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Fault:
    """Misbehave on requests whose path matches ``path``: ``times`` times, then behave."""

    path: str  # a regular expression searched in the request path
    status: int | None = None
    retry_after: str | None = None
    delay: float = 0.0
    times: int = 1
    hits: int = 0


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    status: int


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class FakeHttpServer:
    """A threaded HTTP/1.1 JSON server on 127.0.0.1 with faults, latency and a request log."""

    name = "fake"

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        self.schema_errors: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------

    def start(self) -> FakeHttpServer:
        handler = self._handler_class()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- faults and the log ---------------------------------------------------------------

    def add_fault(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def requests_to(self, pattern: str, method: str = "GET") -> list[RecordedRequest]:
        with self._lock:
            return [
                request
                for request in self.requests
                if request.method == method and re.search(pattern, request.path)
            ]

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.hits < fault.times and re.search(fault.path, path):
                    fault.hits += 1
                    return fault
        return None

    # -- to be provided by subclasses ----------------------------------------------------

    def answer(self, method: str, path: str, query: dict[str, list[str]], headers, body: bytes):
        raise NotImplementedError

    def validate(self, answer: Answer, path: str) -> None:
        """Record a schema violation of ``answer`` in ``schema_errors`` (default: none)."""

    # -- the handler ----------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            timeout = 10
            # Send each answer in one segment: headers and body written separately meet the
            # client's delayed ACK (40 ms a request).
            wbufsize = 1 << 16
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # silence stderr
                return

            def do_GET(self) -> None:
                self._serve("GET")

            def do_POST(self) -> None:
                self._serve("POST")

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                path = parts.path
                query = parse_qs(parts.query, keep_blank_values=True)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if server.latency:
                    time.sleep(server.latency)
                fault = server._take_fault(path)
                if fault is not None and fault.delay:
                    time.sleep(fault.delay)
                if fault is not None and fault.status:
                    headers = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                    message = "API rate limit exceeded" if fault.status == 429 else "Server error"
                    answer = Answer(
                        fault.status,
                        {"error": {"status": fault.status, "message": message}},
                        headers,
                    )
                else:
                    answer = server.answer(method, path, query, self.headers, body)
                server.validate(answer, path)
                with server._lock:
                    server.requests.append(RecordedRequest(method, path, query, answer.status))
                payload = json.dumps(answer.body).encode()
                try:
                    self.send_response(answer.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(payload)))
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(payload)
                    self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (a timeout test)

        return Handler
