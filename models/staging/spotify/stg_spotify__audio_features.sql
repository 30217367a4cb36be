{%- set feature_ranges = audio_feature_ranges() -%}

with source as (
    select
        track_id,
        {%- for feature in feature_ranges %}
        {{ feature }},
        {%- endfor %}
        time_signature,
        duration_ms,
        source,
        extracted_at,
        dt
    from {{ source('spotify', 'audio_features') }}
),

renamed as (
    select
        cast(track_id as varchar) as track_id,
        {%- for feature in feature_ranges %}
        cast({{ feature }} as double) as {{ feature }},
        {%- endfor %}
        case
            when time_signature between 0 and 7 then cast(time_signature as integer)
        end as time_signature,
        case
            when duration_ms > 0 then cast(duration_ms as bigint)
        end as duration_ms,
        cast(source as varchar) as record_source,
        cast(extracted_at as timestamp) as extracted_at,
        cast(dt as date) as snapshot_date,
        dt as partition_dt
    from source
    where track_id is not null
),

ranked as (
    select
        track_id,
        {%- for feature in feature_ranges %}
        {{ feature }},
        {%- endfor %}
        time_signature,
        duration_ms,
        record_source,
        extracted_at,
        snapshot_date,
        {{ invalid_audio_features('renamed') }} as invalid_features,
        row_number() over (
            partition by track_id
            order by partition_dt desc, extracted_at desc, record_source asc
        ) as recency_rank
    from renamed
),

final as (
    select
        track_id,
        {%- for feature in feature_ranges %}
        {{ feature }},
        {%- endfor %}
        time_signature,
        duration_ms,
        record_source,
        extracted_at,
        snapshot_date,
        invalid_features,
        invalid_features is null as has_valid_features
    from ranked
    where recency_rank = 1
)

select * from final
