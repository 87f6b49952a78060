-- One row per customer: the segmentation features side by side (the wide form the Python
-- step reads). Built from int_customer_features_unpivoted so the SQL assignment and the
-- Python fit see exactly the same numbers.
with

features_unpivoted as (
    select * from {{ ref('int_customer_features_unpivoted') }}
),

final as (
    pivot features_unpivoted
    on feature_name
    using first(feature_value)
    group by customer_id
    order by customer_id
)

select * from final
