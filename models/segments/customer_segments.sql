-- One row per customer: their segment with its name and recommendation, for analysts.
with

assignments as (
    select * from {{ ref('customer_segment_assignments') }}
),

profiles as (
    select * from {{ ref('segment_profiles') }}
),

final as (
    select
        assignments.customer_id,
        assignments.segment_id,
        profiles.segment_name,
        profiles.recommendation,
        round(assignments.distance, 8) as distance_to_centroid
    from assignments
    inner join profiles
        on assignments.segment_id = profiles.segment_id
)

select * from final
