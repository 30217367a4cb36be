-- One row per artist, under the spelling found on most rows (ties: the first seen), with the
-- file's playlist labels as genres: playlist_genre labels first, then playlist_subgenre ones,
-- each group by how many of the artist's rows carry the label (highest first), then by label.
-- track_artists: who each file row belongs to (extract/dataset/artist_identity.py).
-- Parameters: $source (artists.source), $genre_prefix and $subgenre_prefix (the label marks).
with spellings as (
    select
        artist_id,
        artist_name,
        count(*) as row_count,
        min(seen_order) as first_seen
    from track_artists
    group by artist_id, artist_name
),

ranked as (
    select
        artist_id,
        artist_name,
        row_number() over (
            partition by artist_id order by row_count desc, first_seen asc
        ) as spelling_rank,
        min(first_seen) over (partition by artist_id) as artist_first_seen
    from spellings
),

row_labels as (
    select
        file_row,
        1 as label_group,
        $genre_prefix || playlist_genre as playlist_label
    from track_rows
    where playlist_genre is not null

    union all

    select
        file_row,
        2 as label_group,
        $subgenre_prefix || playlist_subgenre as playlist_label
    from track_rows
    where playlist_subgenre is not null
),

artist_rows as (
    select distinct
        artist_id,
        file_row
    from track_artists
),

label_counts as (
    select
        artist_rows.artist_id,
        row_labels.label_group,
        row_labels.playlist_label,
        count(*) as row_count
    from artist_rows
    inner join row_labels on artist_rows.file_row = row_labels.file_row
    group by artist_rows.artist_id, row_labels.label_group, row_labels.playlist_label
),

artist_genres as (
    select
        artist_id,
        list(
            playlist_label order by label_group asc, row_count desc, playlist_label asc
        ) as genres
    from label_counts
    group by artist_id
)

select
    ranked.artist_id,
    ranked.artist_name,
    artist_genres.genres,
    cast(null as integer) as popularity,
    cast(null as bigint) as followers,
    $source as source
from ranked
left join artist_genres on ranked.artist_id = artist_genres.artist_id
where ranked.spelling_rank = 1
order by ranked.artist_first_seen
