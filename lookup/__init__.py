"""Answer "I like this artist: who sounds like them, and what should I play?" from the marts.

The lookup: ``cli`` is the ``spotify-related`` command (arguments, the printed tables),
``queries`` reads the answer from the DuckDB warehouse. Declared in dbt as the exposure
``lookup`` (models/marts/artists/_artists__models.yml).
"""
