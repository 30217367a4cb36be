{#- Step 7 of the search (docs block nearest_artists_search), first split: the cells the
    boxes kept, of the artists that descend. -#}
{{ split_kept_cells(ref('int_artist_search_cells_boxed'), descending_only=true) }}
