-- One row per customer id in "Diwali Sales Data.csv" (the file has no customer table: a
-- customer is every row with the same User_ID). The customer's attributes are those of
-- their first row in file order; the file states them per row and they disagree for most
-- customers (gender, age, state, zone, occupation differ between a customer's rows), which
-- is flagged, not resolved by guessing. source_row_number is that first row's number.
-- The name (Cust_name) is personal data and is not selected: the columns are named, so a
-- copy of the file shared without the names builds too.
with

source as (
    select * from {{ source('diwali_sales', 'sales') }}
),

numbered as (
    select
        row_number() over () as source_row_number,
        source.user_id,
        source.age,
        source.age_group,
        source.gender,
        source.marital_status,
        source.occupation,
        source.zone,
        source.state
    from source
),

typed as (
    select
        source_row_number,
        nullif(trim(user_id), '') as customer_id,
        {{ parse_integer('age') }} as age_stated,
        {{ clean_text('age_group') }} as age_group_stated,
        {{ normalize_gender('gender') }} as gender,
        {{ normalize_marital_status('marital_status') }} as marital_status,
        {{ is_known_marital_status('marital_status') }} as is_known_marital_status,
        coalesce({{ clean_text('occupation') }}, 'unknown') as occupation,
        coalesce({{ clean_text('zone') }}, 'unknown') as region,
        coalesce({{ clean_text("replace(state, chr(160), ' ')") }}, 'unknown') as state
    from numbered
),

-- Window functions, not aggregation: every row learns whether its customer's rows agree.
compared as (
    select
        *,
        row_number() over (partition by customer_id order by source_row_number)
            as customer_row_number,
        count(distinct gender) over (partition by customer_id) > 1
        or count(distinct age_stated) over (partition by customer_id) > 1
        or count(distinct marital_status) over (partition by customer_id) > 1
        or count(distinct state) over (partition by customer_id) > 1
        or count(distinct region) over (partition by customer_id) > 1
        or count(distinct occupation) over (partition by customer_id) > 1
            as has_inconsistent_attributes
    from typed
),

first_rows as (
    select
        *,
        age_stated is not null and (age_stated < 0 or age_stated > 120) as is_impossible_age,
        -- The published band labels: 0-17, 18-25, 26-35, 36-45, 46-50, 51-55, 55+.
        case
            when age_group_stated is null or age_stated is null then false
            when age_group_stated like '%+'
                then age_stated < try_cast(rtrim(age_group_stated, '+') as integer)
            when age_group_stated like '%-%'
                then age_stated not between try_cast(
                        split_part(age_group_stated, '-', 1) as integer
                    )
                    and try_cast(split_part(age_group_stated, '-', 2) as integer)
            else false
        end as is_age_outside_stated_group
    from compared
    where customer_row_number = 1
),

final as (
    select
        source_row_number,
        customer_id,
        cast(null as bigint) as birth_year,
        case when not is_impossible_age then age_stated end as age_reported,
        gender,
        marital_status,
        'unknown' as education,
        occupation,
        cast(null as decimal(18, 2)) as annual_income,
        cast(null as bigint) as kids_at_home,
        cast(null as bigint) as teens_at_home,
        region,
        state,
        'unknown' as country,
        cast(null as boolean) as is_loyalty_member,
        cast(null as double) as loyalty_score,
        cast(null as date) as signup_date,
        {{ first_reason([
            ('customer_id is null', 'missing_customer_id'),
        ]) }} as rejection_reason,
        nullif(concat_ws(
            ',',
            case when is_impossible_age then 'impossible_age' end,
            case when not is_known_marital_status then 'unknown_marital_status' end,
            case when is_age_outside_stated_group then 'age_outside_stated_age_group' end,
            case when has_inconsistent_attributes then 'inconsistent_customer_attributes' end
        ), '') as quality_flags
    from first_rows
)

select * from final
