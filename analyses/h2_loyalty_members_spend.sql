-- Hypothesis 2 of source document 003: "Loyalty program members exhibit higher average
-- spending than non-members."
-- Members against non-members in one row: mean and median total spend, order value and
-- order count, as differences and ratios. The formal test (Mann-Whitney, effect size with
-- a bootstrap interval) belongs to the hypothesis-tests Python model
-- (customer_behavior.statistics).
with

loyalty_membership_spend as (
    select * from {{ ref('loyalty_membership_spend') }}
),

members as (
    select * from loyalty_membership_spend
    where membership_status = 'member'
),

non_members as (
    select * from loyalty_membership_spend
    where membership_status = 'non-member'
),

final as (
    select
        members.customer_count as member_count,
        non_members.customer_count as non_member_count,
        members.mean_total_spend as member_mean_spend,
        non_members.mean_total_spend as non_member_mean_spend,
        round(members.mean_total_spend - non_members.mean_total_spend, 2)
            as mean_spend_difference,
        round(members.mean_total_spend / nullif(non_members.mean_total_spend, 0), 3)
            as mean_spend_ratio,
        members.median_total_spend as member_median_spend,
        non_members.median_total_spend as non_member_median_spend,
        round(members.mean_order_value / nullif(non_members.mean_order_value, 0), 3)
            as order_value_ratio,
        round(members.mean_order_count / nullif(non_members.mean_order_count, 0), 3)
            as order_count_ratio,
        members.mean_total_spend > non_members.mean_total_spend as members_spend_more
    from members
    cross join non_members
)

select * from final
