{%- set features = similarity_features() -%}

with artist_vectors as (
    select
        artist_number,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
),

search_cells as (
    select
        artist_number,
        grid_level,
        cell_key,
        distance_bound
    from {{ ref('int_artist_search_cells_descended') }}
),

search_grid_levels as (
    select distinct grid_level
    from search_cells
),

candidate_cells as (
    -- Every recommendable artist's cell at the levels some search ended at.
    select
        artist_grid_cells.artist_number,
        artist_grid_cells.grid_level,
        artist_grid_cells.cell_key
    from {{ ref('int_artist_grid_cells_assigned') }} as artist_grid_cells
    inner join search_grid_levels
        on artist_grid_cells.grid_level = search_grid_levels.grid_level
    where artist_grid_cells.is_recommendable
),

candidate_pairs as (
    select
        search_cells.artist_number,
        candidate_cells.artist_number as related_artist_number,
        {{ euclidean_distance("artist", "candidate", features) }} as distance,
        search_cells.distance_bound
    from search_cells
    inner join candidate_cells
        on
            search_cells.grid_level = candidate_cells.grid_level
            and search_cells.cell_key = candidate_cells.cell_key
            and search_cells.artist_number <> candidate_cells.artist_number
    inner join artist_vectors as artist
        on search_cells.artist_number = artist.artist_number
    inner join artist_vectors as candidate
        on candidate_cells.artist_number = candidate.artist_number
),

final as (
    -- Nothing beyond the bound can be among the nearest top_k (the bound is no less than
    -- the top_k-th distance of real artists).
    select
        artist_number,
        related_artist_number,
        distance
    from candidate_pairs
    where distance <= distance_bound
)

select * from final
