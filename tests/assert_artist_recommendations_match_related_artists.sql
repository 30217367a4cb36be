-- fct_artist_recommendations' related artists, flattened, are exactly fct_related_artists:
-- the same (artist, rank, related artist, distance) rows, element n of an artist's array
-- holding rank n and the array as long as the artist's rows; and no related artist lists
-- more than recommendation_track_count tracks. One row per difference.
with recommendations as (
    select
        artist_id,
        related_artists
    from {{ ref('fct_artist_recommendations') }}
),

related_artists as (
    select
        artist_id,
        related_artist_id,
        similarity_rank,
        distance
    from {{ ref('fct_related_artists') }}
),

element_positions as (
    -- 1 to top_k: the positions an artist's array may have (longer arrays fail below).
    select element_position
    from (
        values
        {%- for position in range(1, var('top_k') + 1) %}
        ({{ position }}){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as positions (element_position)
),

elements as (
    -- One row per element of each artist's array (subscripts within its length only).
    select
        recommendations.artist_id,
        element_positions.element_position,
        recommendations.related_artists[element_positions.element_position] as related_artist
    from recommendations
    inner join element_positions
        on element_positions.element_position <= cardinality(recommendations.related_artists)
),

flattened as (
    select
        elements.artist_id,
        elements.element_position,
        elements.related_artist.similarity_rank,
        elements.related_artist.artist_id as related_artist_id,
        elements.related_artist.distance,
        cardinality(elements.related_artist.tracks) as track_count
    from elements
),

array_lengths as (
    select
        artist_id,
        cardinality(related_artists) as element_count
    from recommendations
),

related_counts as (
    select
        artist_id,
        count(*) as related_count
    from related_artists
    group by artist_id
),

missing_from_mart as (
    select
        'missing from the mart' as failure,
        related_artists.artist_id,
        related_artists.similarity_rank,
        related_artists.related_artist_id
    from related_artists
    left join flattened
        on
            related_artists.artist_id = flattened.artist_id
            and related_artists.similarity_rank = flattened.similarity_rank
            and related_artists.related_artist_id = flattened.related_artist_id
            and related_artists.distance = flattened.distance
    where flattened.artist_id is null
),

not_in_related_artists as (
    select
        'not in fct_related_artists' as failure,
        flattened.artist_id,
        flattened.similarity_rank,
        flattened.related_artist_id
    from flattened
    left join related_artists
        on
            flattened.artist_id = related_artists.artist_id
            and flattened.similarity_rank = related_artists.similarity_rank
            and flattened.related_artist_id = related_artists.related_artist_id
            and flattened.distance = related_artists.distance
    where related_artists.artist_id is null
),

out_of_order as (
    select
        'element out of rank order' as failure,
        artist_id,
        similarity_rank,
        related_artist_id
    from flattened
    where similarity_rank <> element_position
),

wrong_lengths as (
    select
        'array length differs from the related artists count' as failure,
        array_lengths.artist_id,
        cast(null as integer) as similarity_rank,
        cast(null as varchar) as related_artist_id
    from array_lengths
    left join related_counts
        on array_lengths.artist_id = related_counts.artist_id
    where array_lengths.element_count <> coalesce(related_counts.related_count, 0)
),

too_many_tracks as (
    select
        'more than recommendation_track_count tracks' as failure,
        artist_id,
        similarity_rank,
        related_artist_id
    from flattened
    where track_count > {{ var('recommendation_track_count') }}
)

select * from missing_from_mart
union all
select * from not_in_related_artists
union all
select * from out_of_order
union all
select * from wrong_lengths
union all
select * from too_many_tracks
