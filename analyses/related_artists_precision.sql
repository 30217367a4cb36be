-- How often an artist's related artists share its playlist label (the TidyTuesday sample's
-- playlist_genre and playlist_subgenre, the artist's majority label over its rows): the
-- precision@top_k of fct_related_artists, per half of the fixed hash split
-- (evaluation_half), for every labelled artist and for artists with 5 or more tracks, with
-- the precision that related artists drawn at random would have.
--
-- The labels are only read here: the similarity search never sees them.
-- Run by benchmarks/evaluate_quality.py (dbt compile, then DuckDB).
with artists as (
    select
        artist_id,
        playlist_genre,
        playlist_subgenre,
        track_count,
        is_recommendable
    from {{ ref('dim_artists') }}
),

related_artists as (
    select
        artist_id,
        related_artist_id
    from {{ ref('fct_related_artists') }}
),

labels as (
    -- One row per artist and kind of label.
    select
        artist_id,
        'playlist_genre' as label_kind,
        playlist_genre as label,
        track_count,
        is_recommendable
    from artists
    where playlist_genre is not null
    union all
    select
        artist_id,
        'playlist_subgenre' as label_kind,
        playlist_subgenre as label,
        track_count,
        is_recommendable
    from artists
    where playlist_subgenre is not null
),

candidate_label_counts as (
    -- How many artists that may be recommended carry each label.
    select
        label_kind,
        label,
        count(*) as candidate_count
    from labels
    where is_recommendable
    group by label_kind, label
),

candidate_counts as (
    select
        label_kind,
        sum(candidate_count) as candidate_count
    from candidate_label_counts
    group by label_kind
),

artist_precisions as (
    -- Per artist: the share of its related artists with its label, and the expected share
    -- for related artists drawn uniformly from the other candidates.
    select
        labels.artist_id,
        labels.label_kind,
        labels.track_count,
        avg(case when related_labels.label = labels.label then 1.0 else 0.0 end)
            as precision_at_k,
        max(
            (
                cast(coalesce(candidate_label_counts.candidate_count, 0) as double)
                - case when labels.is_recommendable then 1.0 else 0.0 end
            )
            / nullif(
                cast(candidate_counts.candidate_count as double)
                - case when labels.is_recommendable then 1.0 else 0.0 end,
                0
            )
        ) as random_precision_at_k
    from labels
    inner join related_artists
        on labels.artist_id = related_artists.artist_id
    left join labels as related_labels
        on
            related_artists.related_artist_id = related_labels.artist_id
            and labels.label_kind = related_labels.label_kind
    left join candidate_label_counts
        on
            labels.label_kind = candidate_label_counts.label_kind
            and labels.label = candidate_label_counts.label
    inner join candidate_counts
        on labels.label_kind = candidate_counts.label_kind
    group by labels.artist_id, labels.label_kind, labels.track_count
),

artist_subsets as (
    select
        artist_id,
        label_kind,
        'all' as artist_subset,
        precision_at_k,
        random_precision_at_k
    from artist_precisions
    union all
    select
        artist_id,
        label_kind,
        '5+ tracks' as artist_subset,
        precision_at_k,
        random_precision_at_k
    from artist_precisions
    where track_count >= 5
),

final as (
    select
        {{ evaluation_half('artist_id') }} as evaluation_half,
        label_kind,
        artist_subset,
        count(*) as artist_count,
        avg(precision_at_k) as precision_at_k,
        avg(random_precision_at_k) as random_precision_at_k
    from artist_subsets
    group by {{ evaluation_half('artist_id') }}, label_kind, artist_subset
)

select
    evaluation_half,
    label_kind,
    artist_subset,
    artist_count,
    precision_at_k,
    random_precision_at_k
from final
order by evaluation_half, label_kind, artist_subset
