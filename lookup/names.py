"""Names as people type them: one folding of names, and the checks on what was typed.

Neither engine folds names fully in SQL (DuckDB has no NFKC, Trino no accent stripping), so
names are folded here, in Python, wherever they are compared:

    fold("Beyoncé") == fold("beyonce") == "beyonce"
    fold("Daft  Punk") == fold("daft punk") == "daftpunk"
    fold("\uff22\uff34\uff33") == "bts"  # full-width BTS (NFKC)
    fold("!!!") == ""                 # a name of punctuation matches only exactly
"""

from __future__ import annotations

import re
import unicodedata

# The longest name a query may be: the sample's longest artist name is under 100 characters.
MAX_QUERY_LENGTH = 200

# Text that reads as SQL rather than as a name. Names are always bound as query parameters,
# so this is for a friendly answer, not for safety.
SQL_LOOKING = re.compile(
    "|".join(
        [
            r"--",
            r"/\*",
            r";\s*(select|drop|delete|insert|update)\b",
            r"'\s*or\s*'",
            r"\bunion\s+(all\s+)?select\b",
            r"\bselect\b.+\bfrom\b",
            r"\b(drop|truncate)\s+table\b",
            r"\bdelete\s+from\b",
            r"\binsert\s+into\b",
            r"\bupdate\s+\w+\s+set\b",
        ]
    ),
    re.IGNORECASE,
)


class QueryRejected(ValueError):
    """What was typed cannot be an artist's name; the message says why, in one line."""


def fold(name: str) -> str:
    """``name`` in matching form: Unicode NFKC (full-width as half-width), case folded,
    accents and other combining marks removed, only letters and digits kept (any script:
    Hangul stays Hangul)."""
    text = unicodedata.normalize("NFKC", name).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    without_marks = "".join(char for char in decomposed if not unicodedata.combining(char))
    return "".join(char for char in unicodedata.normalize("NFC", without_marks) if char.isalnum())


def checked_query(text: str) -> str:
    """The typed name, trimmed; a QueryRejected for empty, very long or SQL-looking input."""
    query = text.strip()
    if not query:
        raise QueryRejected("type an artist's name, e.g. BLACKPINK or Daft Punk")
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryRejected(
            f"that is {len(query)} characters: an artist's name is at most {MAX_QUERY_LENGTH}"
        )
    if SQL_LOOKING.search(query):
        raise QueryRejected("that looks like SQL, not an artist's name: type just the name")
    return query
