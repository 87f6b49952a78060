-- One row: how concentrated revenue is across customers (source document 004, "a small top
-- tier of customers contributes a large share of revenue"). The top p % are the first
-- ceil(p % × customers) customers by total spend (descending, ties by customer_id); the
-- Gini coefficient is 0 when everyone spends the same and approaches 1 when one customer
-- spends everything. Shares are NULL when there is no revenue.
with

customers as (
    select * from {{ ref('customers') }}
),

ranked as (
    select
        customer_id,
        total_spend,
        row_number() over (order by total_spend desc, customer_id) as spend_rank,
        sum(total_spend) over (
            order by total_spend desc, customer_id rows between unbounded preceding and current row
        ) as cumulative_spend
    from customers
),

totals as (
    select
        count(*) as customer_count,
        {{ money_sum('total_spend') }} as revenue
    from ranked
),

-- Gini from the ascending order: G = 2 Σ i·x_i / (n Σ x) − (n + 1) / n, i = 1..n.
gini as (
    select
        {{ safe_divide(
            '2 * cast(
                sum((totals.customer_count + 1 - ranked.spend_rank) * ranked.total_spend) as double
            )',
            'totals.customer_count * cast(totals.revenue as double)'
        ) }}
        - (totals.customer_count + 1) / totals.customer_count as gini_coefficient
    from ranked
    cross join totals
    group by totals.customer_count, totals.revenue
),

final as (
    select
        totals.customer_count,
        totals.revenue,
        round(
            {{ safe_divide(
                'cast(sum(ranked.total_spend) filter (
                    where ranked.spend_rank <= ceil(0.1 * totals.customer_count)
                ) as double)',
                'cast(totals.revenue as double)'
            ) }},
            6
        ) as top_10_pct_revenue_share,
        round(
            {{ safe_divide(
                'cast(sum(ranked.total_spend) filter (
                    where ranked.spend_rank <= ceil(0.2 * totals.customer_count)
                ) as double)',
                'cast(totals.revenue as double)'
            ) }},
            6
        ) as top_20_pct_revenue_share,
        round(min(gini.gini_coefficient), 6) as gini_coefficient,
        -- Smallest share of customers (the top spenders) that together hold 50 % / 80 %.
        round(
            min(ranked.spend_rank) filter (
                where ranked.cumulative_spend >= 0.5 * totals.revenue and totals.revenue > 0
            )
            / totals.customer_count,
            6
        ) as customer_share_for_50_pct_revenue,
        round(
            min(ranked.spend_rank) filter (
                where ranked.cumulative_spend >= 0.8 * totals.revenue and totals.revenue > 0
            )
            / totals.customer_count,
            6
        ) as customer_share_for_80_pct_revenue
    from ranked
    cross join totals
    cross join gini
    group by totals.customer_count, totals.revenue
)

select * from final
