{#-
    The fields of the nested columns, as [name, expression, Athena type] (named_struct):
    every expression already has its type, so both engines give the same one.
-#}
{%- set track_fields = [
    ["track_name", "tracks_ranked.track_name", "varchar"],
    ["album_name", "tracks_ranked.album_name", "varchar"],
    ["release_date", "tracks_ranked.release_date", "varchar"],
    ["spotify_url", "tracks_ranked.spotify_url", "varchar"],
] -%}
{%- set track_type = athena_row_type(track_fields) -%}
{%- set related_artist_fields = [
    ["similarity_rank", "related_artists.similarity_rank", "integer"],
    ["artist_id", "related_artists.related_artist_id", "varchar"],
    ["artist_name", "related_artist.artist_name", "varchar"],
    ["distance", "related_artists.distance", "double"],
    ["similarity_score", "related_artists.similarity_score", "double"],
    ["tracks", empty_array_if_null("tracks_listed.tracks", track_type), athena_array_type(track_type)],
] -%}

with artists as (
    select
        artist_id,
        artist_name,
        track_count,
        has_audio_features,
        has_similarity_vector,
        is_recommendable
    from {{ ref('dim_artists') }}
),

related_artists as (
    select
        artist_id,
        related_artist_id,
        similarity_rank,
        distance,
        similarity_score
    from {{ ref('fct_related_artists') }}
),

artist_tracks as (
    select
        artist_id,
        track_id,
        track_rank,
        track_name,
        album_name,
        release_date,
        spotify_url
    from {{ ref('fct_artist_tracks') }}
),

artist_aliases as (
    select
        alias,
        artist_name
    from {{ ref('artist_aliases') }}
),

tracks_ranked as (
    -- Each artist's tracks in the artist's order (track_rank, then track_id for a tie).
    select
        artist_id,
        track_id,
        track_rank,
        track_name,
        album_name,
        release_date,
        spotify_url,
        row_number() over (
            partition by artist_id
            order by track_rank asc, track_id asc
        ) as play_order
    from artist_tracks
),

tracks_listed as (
    -- What to play for each artist: its first recommendation_track_count tracks, in order.
    select
        tracks_ranked.artist_id,
        {{ ordered_array_agg(named_struct(track_fields), "tracks_ranked.play_order") }} as tracks
    from tracks_ranked
    where tracks_ranked.play_order <= {{ var('recommendation_track_count') }}
    group by tracks_ranked.artist_id
),

related_artists_listed as (
    -- Each artist's related artists in rank order, each with its name and tracks.
    select
        related_artists.artist_id,
        {{ ordered_array_agg(named_struct(related_artist_fields), "related_artists.similarity_rank") }}
            as related_artists
    from related_artists
    inner join artists as related_artist
        on related_artists.related_artist_id = related_artist.artist_id
    left join tracks_listed
        on related_artists.related_artist_id = tracks_listed.artist_id
    group by related_artists.artist_id
),

aliases_listed as (
    -- The other names of each artist name (the seed names artists exactly), alphabetically.
    select
        artist_name,
        {{ ordered_array_agg("alias", "alias") }} as aliases
    from artist_aliases
    group by artist_name
),

final as (
    select
        artists.artist_id,
        artists.artist_name,
        cast(artists.track_count as integer) as track_count,
        artists.has_audio_features,
        artists.has_similarity_vector,
        artists.is_recommendable,
        {{ empty_array_if_null("aliases_listed.aliases", "varchar") }} as aliases,
        {{ empty_array_if_null("related_artists_listed.related_artists", athena_row_type(related_artist_fields)) }}
            as related_artists
    from artists
    left join aliases_listed
        on artists.artist_name = aliases_listed.artist_name
    left join related_artists_listed
        on artists.artist_id = related_artists_listed.artist_id
)

select * from final
