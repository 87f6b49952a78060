-- One row per customer: the nearest stored centroid, computed in SQL from segment_model
-- alone. Any customer (including ones added after the fit) can be scored this way; a data
-- test proves it agrees with the Python assignment for every customer.
with

features_unpivoted as (
    select * from {{ ref('int_customer_features_unpivoted') }}
),

segment_model as (
    select * from {{ ref('segment_model') }}
),

feature_scaling as (
    select distinct feature_name, transform, fill_value, mean, scale
    from segment_model
),

features_scaled as (
    select
        features_unpivoted.customer_id,
        features_unpivoted.feature_name,
        (
            case
                when feature_scaling.transform = 'log1p'
                    then ln(1 + coalesce(features_unpivoted.feature_value, feature_scaling.fill_value))
                else coalesce(features_unpivoted.feature_value, feature_scaling.fill_value)
            end - feature_scaling.mean
        ) / feature_scaling.scale as scaled_value
    from features_unpivoted
    inner join feature_scaling
        on features_unpivoted.feature_name = feature_scaling.feature_name
),

distances as (
    select
        features_scaled.customer_id,
        segment_model.segment_id,
        sqrt(sum(power(features_scaled.scaled_value - segment_model.centroid_scaled, 2)))
            as distance
    from features_scaled
    inner join segment_model
        on features_scaled.feature_name = segment_model.feature_name
    group by features_scaled.customer_id, segment_model.segment_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by customer_id order by distance, segment_id
        ) as distance_rank
    from distances
),

final as (
    select
        customer_id,
        segment_id,
        round(distance, 8) as distance
    from ranked
    where distance_rank = 1
)

select * from final
