"""Test doubles of the services the extractor talks to: real HTTP servers on 127.0.0.1.

- ``http_server``: the generic local JSON server (faults, latency, the request log).
- ``catalog``: the artists, albums and tracks both fakes serve, and the tests' catalogue.
- ``openapi``: validation of Spotify answers against the copied OpenAPI description.
- ``spotify``: the Spotify Web API and its token endpoint.
- ``reccobeats``: ReccoBeats' audio-features endpoint.
- ``services``: the two fakes started in pairs for a test, stopped and schema-checked together.

The tests and the benchmarks import these; ``extract`` and ``lookup`` never do.
"""
