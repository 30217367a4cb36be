"""Who each row of the file belongs to, and the artist ids derived from names.

These files carry artist names, not Spotify ids (unless they have an artist_id column, which
is then used as is). The id is derived from the name:
    artist_id = "name-" + sha256(normalised name, UTF-8).hexdigest()[:16]
where the name is normalised with NFKC, case-folded, NFKC again, whitespace runs collapsed to
one space and stripped. Kaggle's ``artists`` column lists several artists separated by ";".
"""

from __future__ import annotations

import hashlib
import unicodedata

import pyarrow as pa
import pyarrow.compute as pc

DERIVED_ID_PREFIX = "name-"
KAGGLE_ARTIST_SEPARATOR = ";"


def normalise_artist_name(name: str) -> str:
    """NFKC, case-folded, NFKC again, whitespace collapsed and stripped."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())


def derive_artist_id(name: str) -> str | None:
    """``name-`` + the first 16 hex digits of sha256(normalised name); None if blank."""
    normalised = normalise_artist_name(name)
    if not normalised:
        return None
    return DERIVED_ID_PREFIX + hashlib.sha256(normalised.encode("utf-8")).hexdigest()[:16]


def split_artist_column(rows: pa.Table, column: str, split: bool) -> tuple[pa.Array, pa.Array]:
    """(file rows, trimmed values) of an artist column, split on ";" when ``split``."""
    file_rows = rows.column("file_row").combine_chunks()
    values = rows.column(column).combine_chunks()
    if split:
        lists = pc.split_pattern(values, KAGGLE_ARTIST_SEPARATOR)
        file_rows = pc.take(file_rows, pc.list_parent_indices(lists))
        values = pc.list_flatten(lists)
    return file_rows, pc.utf8_trim_whitespace(values)


def explode_artists(rows: pa.Table, split: bool, real_ids: bool) -> pa.Table:
    """One row per (file row, artist): ``file_row``, ``artist_id``, ``artist_name``, and
    ``seen_order`` (file order, then order within a ";" list).

    Kaggle's ``artists`` is split on ";". With real ids (an ``artist_id`` column, split
    alike) a row whose id and name counts differ is attributed to no one; otherwise ids are
    derived from the names. Blank names and ids are not artists.
    """
    if real_ids and split:
        name_counts = pc.list_value_length(
            pc.split_pattern(rows["artist_name"], KAGGLE_ARTIST_SEPARATOR)
        )
        id_counts = pc.list_value_length(
            pc.split_pattern(rows["artist_id"], KAGGLE_ARTIST_SEPARATOR)
        )
        rows = rows.filter(pc.equal(name_counts, id_counts))
    file_rows, names = split_artist_column(rows, "artist_name", split)
    if real_ids:
        _, artist_ids = split_artist_column(rows, "artist_id", split)
    else:
        unique_names = pc.unique(names)
        derived = pa.array(
            [derive_artist_id(name) if name else None for name in unique_names.to_pylist()],
            pa.string(),
        )
        artist_ids = pc.take(derived, pc.index_in(names, unique_names))
    exploded = pa.table({"file_row": file_rows, "artist_id": artist_ids, "artist_name": names})
    attributable = pc.and_(
        pc.not_equal(exploded["artist_id"], ""), pc.not_equal(exploded["artist_name"], "")
    )
    exploded = exploded.filter(attributable)
    return exploded.append_column("seen_order", pa.array(range(exploded.num_rows), pa.int64()))
