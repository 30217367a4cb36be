-- A track repeated over playlists or genres lands once, as its first row in the file.
-- track_rows: the parsed file (one row per file row with a track_id).
create temporary table tracks as
select track_rows.*
from track_rows
where track_rows.file_row in (
    select min(first_rows.file_row) as first_file_row
    from track_rows as first_rows
    group by first_rows.track_id
)
