-- One row per accepted customer: who they are and how they buy. The wide table most
-- questions start from.
with

customers as (
    select * from {{ ref('int_customers') }}
),

activity as (
    select * from {{ ref('int_customer_activity') }}
),

campaigns as (
    select * from {{ ref('int_customer_campaigns') }}
),

final as (
    select
        customers.customer_id,
        customers.gender,
        customers.marital_status,
        customers.education,
        customers.occupation,
        customers.region,
        customers.state,
        customers.country,
        customers.age_group,
        customers.age_group_order,
        customers.quality_flags,
        customers.birth_year,
        customers.age,
        customers.annual_income,
        customers.kids_at_home,
        customers.teens_at_home,
        customers.children_count,
        customers.loyalty_score,
        activity.order_count,
        activity.order_line_count,
        activity.total_quantity,
        activity.total_spend,
        activity.total_discount,
        activity.avg_order_value,
        activity.discounted_order_count,
        activity.discounted_order_share,
        activity.purchase_frequency_per_year,
        activity.purchase_frequency_window_days,
        activity.recency_days,
        activity.tenure_days,
        coalesce(campaigns.campaigns_sent, 0) as campaigns_sent,
        coalesce(campaigns.campaigns_accepted, 0) as campaigns_accepted,
        customers.is_loyalty_member,
        customers.is_income_outlier,
        activity.is_repeat_customer,
        customers.signup_date,
        activity.first_order_date,
        activity.last_order_date,
        customers.as_of_date
    from customers
    left join activity
        on customers.customer_id = activity.customer_id
    left join campaigns
        on customers.customer_id = campaigns.customer_id
)

select * from final
