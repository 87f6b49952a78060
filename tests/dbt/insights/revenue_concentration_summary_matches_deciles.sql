-- The summary has one row when there are customers, its top 10 % share is decile 1's share
-- (decile 1 holds ceil(n / 10) customers, the same customers), and the Pareto curve is
-- consistent: 50 % of revenue needs no more customers than 80 % (NULL without revenue).
-- One row per violation.
with

summary as (
    select * from {{ ref('revenue_concentration_summary') }}
),

deciles as (
    select * from {{ ref('revenue_concentration') }}
),

customers as (
    select count(*) as customer_count from {{ ref('customers') }}
),

checks as (
    select
        'row count' as check_name,
        (select count(*) from summary) as found,
        case when (select customer_count from customers) > 0 then 1 else 0 end as expected
    union all
    select
        'top 10 % share = decile 1 share (millionths)',
        round((select top_10_pct_revenue_share from summary) * 1e6),
        round((
            select revenue_share from deciles
            where spend_decile = 1
        ) * 1e6)
    union all
    select
        'rows where 50 % needs more customers than 80 %',
        (
            select count(*) from summary
            where customer_share_for_50_pct_revenue > customer_share_for_80_pct_revenue
        ),
        0
)

select *
from checks
where found is distinct from expected
