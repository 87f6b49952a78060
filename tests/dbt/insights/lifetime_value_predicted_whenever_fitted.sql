-- Fitted models must predict: when both lifetime-value models have finite estimates (fitted,
-- converged or not), every customer gets a finite expected purchase count and predicted value.
-- One row per customer left without a prediction.
with

models as (
    select
        count(*) filter (where coalesce(isfinite(estimate), false)) as finite_estimates,
        count(*) as estimates
    from {{ ref('lifetime_value_model') }}
),

customers as (
    select * from {{ ref('customer_lifetime_value') }}
)

select customers.*
from customers
cross join models
where models.estimates > 0
    and models.finite_estimates = models.estimates
    and not (
        coalesce(isfinite(customers.expected_purchases_horizon), false)
        and coalesce(isfinite(customers.predicted_clv_horizon), false)
    )
