-- int_artist_vectors_gridded numbers the artists within the first two characters of their
-- id (so that Trino does not number every artist on one node): the numbers must still be
-- the global rank by artist_id, 1..n. One row per artist numbered otherwise.
with numbered as (
    select
        artist_id,
        artist_number,
        rank() over (order by artist_id asc) as global_rank
    from {{ ref('int_artist_vectors_gridded') }}
)

select
    artist_id,
    artist_number,
    global_rank
from numbered
where artist_number <> global_rank
