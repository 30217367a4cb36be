{%- set features = similarity_features() -%}
{#- A fixed set of columns, whatever the vars (as int_artist_vectors_gridded): the box on
    every audio feature, null where it is not a similarity feature. -#}
{%- set all_features = audio_feature_names() -%}

with artist_grid_cells as (
    select
        artist_number,
        grid_level,
        cell_key,
        parent_cell_key
    from {{ ref('int_artist_grid_cells_assigned') }}
    where is_recommendable
),

artist_vectors as (
    select
        artist_number,
        {%- for feature in features %}
        {{ feature }}_normalised{% if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_artist_vectors_gridded') }}
    where is_recommendable
),

final as (
    -- The recommendable artists (who may be found) in each non-empty cell of each level,
    -- and the box they span on every similarity feature: no distance from an artist to
    -- any of them is below the distance to the box or above the distance to its farthest
    -- corner.
    select
        artist_grid_cells.grid_level,
        artist_grid_cells.cell_key,
        artist_grid_cells.parent_cell_key,
        count(*) as recommendable_artist_count,
        {%- for feature in all_features %}
        {%- if feature in features %}
        min(artist_vectors.{{ feature }}_normalised) as lowest_{{ feature }},
        max(artist_vectors.{{ feature }}_normalised) as highest_{{ feature }}{% if not loop.last %},{% endif %}
        {%- else %}
        cast(null as double) as lowest_{{ feature }},
        cast(null as double) as highest_{{ feature }}{% if not loop.last %},{% endif %}
        {%- endif %}
        {%- endfor %}
    from artist_grid_cells
    inner join artist_vectors
        on artist_grid_cells.artist_number = artist_vectors.artist_number
    group by
        artist_grid_cells.grid_level,
        artist_grid_cells.cell_key,
        artist_grid_cells.parent_cell_key
)

select * from final
