"""Land Spotify artists, tracks and audio features in the lake as Hive-partitioned parquet."""
