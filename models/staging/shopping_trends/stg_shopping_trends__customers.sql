-- One row per raw row of shopping_trends_updated.csv (source document 003): the customer
-- the purchase belongs to. Subscription Status is read as loyalty-programme membership (the
-- file's only membership field; DECISIONLOG.md). Location is a US state; the file has no
-- region, country, income, marital status, education, children or sign-up date ('unknown' /
-- NULL). A row whose purchase amount or category cannot be read is rejected: that purchase
-- is the row's whole purchase record.
with

source as (
    select * from {{ source('shopping_trends', 'purchases') }}
),

numbered as (
    select
        row_number() over () as source_row_number,
        source.*
    from source
),

typed as (
    select
        source_row_number,
        nullif(trim(customer_id), '') as customer_id,
        {{ parse_integer('age') }} as age_stated,
        {{ normalize_gender('gender') }} as gender,
        coalesce({{ clean_text('location') }}, 'unknown') as state,
        {{ parse_boolean('subscription_status') }} as is_loyalty_member,
        {{ clean_text('subscription_status') }} is not null as has_subscription_text,
        {{ clean_text('category') }} as product_category,
        {{ clean_text('purchase_amount_usd') }} is not null as has_amount_text,
        {{ parse_money('purchase_amount_usd') }} as purchase_amount,
        {{ clean_text('frequency_of_purchases') }} as frequency_text,
        {{ clean_text('season') }} as season_text,
        {{ clean_text('discount_applied') }} as discount_text,
        {{ clean_text('promo_code_used') }} as promo_code_text,
        {{ clean_text('review_rating') }} as review_rating_text
    from numbered
),

checked as (
    select
        *,
        age_stated is not null and (age_stated < 0 or age_stated > 120) as is_impossible_age,
        has_subscription_text and is_loyalty_member is null as is_unparseable_subscription,
        frequency_text is not null
        and {{ shopping_trends_purchases_per_year('frequency_text') }} is null
            as is_unknown_frequency,
        {{ shopping_trends_season('season_text') }} = 'unknown' as is_unknown_season,
        discount_text is not null
        and {{ parse_boolean('discount_text') }} is null as is_unparseable_discount,
        promo_code_text is not null
        and {{ parse_boolean('promo_code_text') }} is null as is_unparseable_promo_code,
        review_rating_text is not null
        and coalesce({{ parse_decimal('review_rating_text') }} not between 1 and 5, true)
            as is_unreadable_review_rating
    from typed
),

final as (
    select
        source_row_number,
        customer_id,
        cast(null as bigint) as birth_year,
        case when not is_impossible_age then age_stated end as age_reported,
        gender,
        'unknown' as marital_status,
        'unknown' as education,
        'unknown' as occupation,
        cast(null as decimal(18, 2)) as annual_income,
        cast(null as bigint) as kids_at_home,
        cast(null as bigint) as teens_at_home,
        'unknown' as region,
        state,
        'unknown' as country,
        is_loyalty_member,
        cast(null as double) as loyalty_score,
        cast(null as date) as signup_date,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
            ('product_category is null', 'missing_product_category'),
            ('not has_amount_text', 'missing_purchase_amount'),
            ('purchase_amount is null', 'unparseable_purchase_amount'),
            ('purchase_amount < 0', 'negative_purchase_amount'),
        ]) }} as rejection_reason,
        nullif(concat_ws(
            ',',
            case when is_impossible_age then 'impossible_age' end,
            case when is_unparseable_subscription then 'unparseable_subscription_status' end,
            case when is_unknown_frequency then 'unknown_purchase_frequency' end,
            case when is_unknown_season then 'unknown_season' end,
            case when is_unparseable_discount then 'unparseable_discount_applied' end,
            case when is_unparseable_promo_code then 'unparseable_promo_code_used' end,
            case when is_unreadable_review_rating then 'unreadable_review_rating' end
        ), '') as quality_flags
    from checked
)

select * from final
