{#- Step 7 of the search (docs block nearest_artists_search), split 4 of
    4 (grid_descent_steps()): the cells split 3 kept. -#}
{{ split_kept_cells(ref('int_artist_search_cells_split_3')) }}
