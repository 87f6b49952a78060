-- One row per customer and segmentation feature (long form): the feature vector the
-- segmentation step reads, and the form the SQL nearest-centroid assignment works on.
-- Features: recency, frequency, monetary value, order value, income, age, children, and the
-- share of the customer's spend through each channel and in each product category.
with

int_customers as (
    select * from {{ ref('int_customers') }}
),

activity as (
    select * from {{ ref('int_customer_activity') }}
),

channel_spend as (
    select * from {{ ref('int_customer_channel_spend') }}
),

category_spend as (
    select * from {{ ref('int_customer_category_spend') }}
),

customers as (
    select
        int_customers.customer_id,
        int_customers.age,
        int_customers.annual_income,
        int_customers.children_count,
        int_customers.is_income_outlier,
        activity.recency_days,
        activity.order_count,
        activity.total_spend,
        activity.avg_order_value
    from int_customers
    inner join activity
        on int_customers.customer_id = activity.customer_id
),

-- Channels with a known spend only: data that counts purchases per channel without
-- splitting spend by channel (iFood) has no spend shares, so the features are absent.
channels as (
    select distinct channel from channel_spend
    where spend is not null
),

categories as (
    select distinct product_category from category_spend
),

base_features as (
    unpivot (
        select
            customer_id,
            cast(recency_days as double) as recency_days,
            cast(order_count as double) as order_count,
            cast(total_spend as double) as total_spend,
            cast(avg_order_value as double) as avg_order_value,
            cast(case when not is_income_outlier then annual_income end as double) as annual_income,
            cast(age as double) as age,
            cast(children_count as double) as children_count
        from customers
    )
    on recency_days, order_count, total_spend, avg_order_value, annual_income, age, children_count
    into name feature_name value feature_value
),

-- Every customer gets every channel and category share, zero when unused.
channel_shares as (
    select
        customers.customer_id,
        'share_channel_' || channels.channel as feature_name,
        coalesce(
            {{ safe_divide('channel_spend.spend', 'customers.total_spend') }}, 0
        ) as feature_value
    from customers
    cross join channels
    left join channel_spend
        on customers.customer_id = channel_spend.customer_id
        and channels.channel = channel_spend.channel
),

category_shares as (
    select
        customers.customer_id,
        'share_category_' || categories.product_category as feature_name,
        coalesce(
            {{ safe_divide('category_spend.spend', 'customers.total_spend') }}, 0
        ) as feature_value
    from customers
    cross join categories
    left join category_spend
        on customers.customer_id = category_spend.customer_id
        and categories.product_category = category_spend.product_category
),

-- unpivot drops NULLs; put them back so every customer has every base feature.
base_features_complete as (
    select
        customers.customer_id,
        feature_names.feature_name,
        base_features.feature_value
    from customers
    cross join (select distinct feature_name from base_features) as feature_names
    left join base_features
        on customers.customer_id = base_features.customer_id
        and feature_names.feature_name = base_features.feature_name
),

final as (
    select customer_id, feature_name, round(cast(feature_value as double), 8) as feature_value
    from base_features_complete
    union all
    select customer_id, feature_name, round(cast(feature_value as double), 8) as feature_value
    from channel_shares
    union all
    select customer_id, feature_name, round(cast(feature_value as double), 8) as feature_value
    from category_shares
)

select * from final
