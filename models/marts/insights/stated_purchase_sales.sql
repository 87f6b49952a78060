-- One row per stated purchase attribute and value: the season the purchase was made in,
-- whether a discount was applied, whether a promo code was used, the two crossed, the
-- payment method and the shipping type - purchases, customers, revenue, the mean purchase,
-- the review rating and the buyers' stated purchases per year (source document 003: "how
-- do seasonal trends and promotional events impact overall sales and product demand", "how
-- discounts influence purchase frequency and revenue"). For data that state these per
-- purchase instead of giving order dates (shopping trends); dated order lines answer the
-- same questions in sales_by_season and promotion_impact. Shares are within the dimension,
-- so each dimension's revenue_share sums to 1. Empty for other data.
{%- set dimensions = [
    'season', 'discount_applied', 'promo_code_used', 'discount_and_promo_code',
    'payment_method', 'shipping_type'
] %}
with

stated_purchases as (
    select * from {{ ref('int_stated_purchases') }}
),

customers as (
    select * from {{ ref('customers') }}
),

purchases as (
    select
        stated_purchases.customer_id,
        stated_purchases.amount,
        stated_purchases.review_rating,
        customers.purchase_frequency_per_year,
        stated_purchases.season,
        case stated_purchases.is_discounted when true then 'yes' when false then 'no' end
            as discount_applied,
        case stated_purchases.used_promo_code when true then 'yes' when false then 'no' end
            as promo_code_used,
        -- the two flags crossed: do discounts come with promo codes?
        case
            when stated_purchases.is_discounted and stated_purchases.used_promo_code
                then 'discount and promo code'
            when stated_purchases.is_discounted and not stated_purchases.used_promo_code
                then 'discount only'
            when not stated_purchases.is_discounted and stated_purchases.used_promo_code
                then 'promo code only'
            when not stated_purchases.is_discounted and not stated_purchases.used_promo_code
                then 'neither'
        end as discount_and_promo_code,
        stated_purchases.payment_method,
        stated_purchases.shipping_type
    from stated_purchases
    inner join customers
        on stated_purchases.customer_id = customers.customer_id
),

-- Long form: one row per purchase and dimension.
purchase_dimensions as (
    {{ dimensions_long_form(
        'purchases', dimensions,
        ['customer_id', 'amount', 'review_rating', 'purchase_frequency_per_year']
    ) }}
),

aggregated as (
    select
        dimension,
        dimension_value,
        -- seasons in calendar order, yes before no, the flags crossed from both to neither;
        -- the other dimensions by revenue (NULL here)
        min(
            case
                when dimension = 'season'
                    then list_position(
                            ['winter', 'spring', 'summer', 'autumn', 'unknown'], dimension_value
                        )
                when dimension in ('discount_applied', 'promo_code_used')
                    then list_position(['yes', 'no', 'unknown'], dimension_value)
                when dimension = 'discount_and_promo_code'
                    then list_position(
                            [
                                'discount and promo code', 'discount only', 'promo code only',
                                'neither', 'unknown'
                            ],
                            dimension_value
                        )
            end
        ) as value_order,
        count(*) as purchase_count,
        count(distinct customer_id) as customer_count,
        {{ money_sum('amount') }} as revenue,
        round(avg(amount), 2) as mean_purchase_value,
        round(median(amount), 2) as median_purchase_value,
        round({{ exact_avg("review_rating") }}, 4) as mean_review_rating,
        round({{ exact_avg("purchase_frequency_per_year") }}, 4) as mean_purchases_per_year
    from purchase_dimensions
    group by dimension, dimension_value
),

final as (
    select
        dimension,
        dimension_value,
        {{ dimension_value_order(revenue='revenue') }} as dimension_value_order,
        purchase_count,
        round(purchase_count / sum(purchase_count) over (partition by dimension), 6)
            as purchase_share,
        customer_count,
        revenue,
        round({{ share_of_total('revenue', partition_by='dimension') }}, 6) as revenue_share,
        mean_purchase_value,
        median_purchase_value,
        -- Mean purchase of the value over the mean purchase of the dimension (1 = average).
        round(
            {{ safe_divide(
                'cast(revenue as double) / purchase_count',
                'cast(sum(revenue) over (partition by dimension) as double)
                    / sum(purchase_count) over (partition by dimension)'
            ) }},
            4
        ) as purchase_value_index,
        mean_review_rating,
        mean_purchases_per_year
    from aggregated
)

select * from final
