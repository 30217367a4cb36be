"""``spotify-extract api`` against fake Spotify and ReccoBeats servers on 127.0.0.1.

Nothing is patched: the extractor runs as users run it (in-process through ``extract.cli``,
or as a subprocess where it must be killed), pointed at the fakes by the documented
environment variables, and writes a real lake that is read back with pyarrow. The fakes
validate every response they send against the copied OpenAPI description; a violation fails
the test that caused it. ``conftest.py`` starts the fakes; ``extraction.py`` holds the
arguments and the lake readers the tests share.
"""
