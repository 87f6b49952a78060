-- Each segment's size in segment_profiles is the number of its customers in
-- customer_segments: the demand-by-segment marts take a segment's name and size from the
-- profile. One row per segment where the two disagree (or that only one of them has).
with

profiles as (
    select * from {{ ref('segment_profiles') }}
),

customer_segments as (
    select * from {{ ref('customer_segments') }}
),

counted as (
    select
        segment_id,
        count(*) as customer_count
    from customer_segments
    group by segment_id
)

select
    coalesce(profiles.segment_id, counted.segment_id) as segment_id,
    profiles.customer_count as profiled_customer_count,
    counted.customer_count as segmented_customer_count
from profiles
full outer join counted on profiles.segment_id = counted.segment_id
where profiles.customer_count is distinct from counted.customer_count
