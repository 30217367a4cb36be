"""``spotify-extract api``: artists, their tracks and audio features from the Spotify Web API.

``command`` (the arguments, checked into settings), ``extraction`` (the run: ask, land,
report), ``artists`` (which artists, and which Spotify artist each one is), ``tracks`` (top
tracks or latest releases), ``features`` (Spotify or ReccoBeats), ``lake_rows`` (the lake
tables of a run), ``run_log`` (fallbacks and errors as they happen) and ``report`` (the typed
run report that both the manifest and the summary are written from).
"""
