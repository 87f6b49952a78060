-- One row per raw row of "Customer Purchasing Behaviors.csv" (source document 000), mapped
-- onto the canonical customer columns. The file has no gender, marital status, education,
-- children, state, country, sign-up date or membership: those are 'unknown' / NULL, never
-- guessed. A row whose stated purchase amount or frequency cannot be read is rejected, since
-- that row is the customer's whole purchase record.
with

source as (
    select * from {{ source('customer_purchasing_behaviors', 'customers') }}
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
        nullif(trim(user_id), '') as customer_id,
        {{ parse_integer('age') }} as age_stated,
        {{ parse_money('annual_income') }} as annual_income_stated,
        {{ clean_text('annual_income') }} is not null as has_income_text,
        {{ parse_decimal('loyalty_score') }} as loyalty_score_stated,
        coalesce({{ clean_text('region') }}, 'unknown') as region,
        {{ clean_text('purchase_amount') }} is not null as has_amount_text,
        {{ parse_money('purchase_amount') }} as purchase_amount,
        {{ clean_text('purchase_frequency') }} is not null as has_frequency_text,
        {{ parse_decimal('purchase_frequency') }} as purchase_frequency
    from numbered
),

checked as (
    select
        *,
        age_stated is not null and (age_stated < 0 or age_stated > 120) as is_impossible_age,
        annual_income_stated < 0 as is_negative_income,
        has_income_text and annual_income_stated is null as is_unparseable_income,
        loyalty_score_stated is not null
        and (loyalty_score_stated < 1 or loyalty_score_stated > 10)
            as is_loyalty_score_out_of_range
    from typed
),

final as (
    select
        source_row_number,
        customer_id,
        cast(null as bigint) as birth_year,
        case when not is_impossible_age then age_stated end as age_reported,
        'unknown' as gender,
        'unknown' as marital_status,
        'unknown' as education,
        'unknown' as occupation,
        case when not coalesce(is_negative_income, false) then annual_income_stated end
            as annual_income,
        cast(null as bigint) as kids_at_home,
        cast(null as bigint) as teens_at_home,
        region,
        'unknown' as state,
        'unknown' as country,
        cast(null as boolean) as is_loyalty_member,
        case when not is_loyalty_score_out_of_range then loyalty_score_stated end
            as loyalty_score,
        cast(null as date) as signup_date,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
            ('not has_amount_text', 'missing_purchase_amount'),
            ('purchase_amount is null', 'unparseable_purchase_amount'),
            ('purchase_amount < 0', 'negative_purchase_amount'),
            ('not has_frequency_text', 'missing_purchase_frequency'),
            ('purchase_frequency is null', 'unparseable_purchase_frequency'),
            ('purchase_frequency < 0 or purchase_frequency <> round(purchase_frequency)',
                'impossible_purchase_frequency'),
        ]) }} as rejection_reason,
        nullif(concat_ws(
            ',',
            case when is_impossible_age then 'impossible_age' end,
            case when is_negative_income then 'negative_income' end,
            case when is_unparseable_income then 'unparseable_income' end,
            case when is_loyalty_score_out_of_range then 'loyalty_score_out_of_range' end
        ), '') as quality_flags
    from checked
)

select * from final
