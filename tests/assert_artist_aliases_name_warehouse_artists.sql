-- Every alias names an artist the warehouse has (by its exact name). A warning, not an
-- error: the aliases are written for the sample, and a warehouse built from another lake
-- may not have every artist.
{{ config(severity='warn') }}

with aliases as (
    select
        alias,
        artist_name
    from {{ ref('artist_aliases') }}
),

artists as (
    select artist_name
    from {{ ref('dim_artists') }}
),

final as (
    select
        aliases.alias,
        aliases.artist_name
    from aliases
    left join artists
        on aliases.artist_name = artists.artist_name
    where artists.artist_name is null
)

select
    alias,
    artist_name
from final
