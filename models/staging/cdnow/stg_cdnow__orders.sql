-- One row per line of CDNOW_sample.txt (the CDNOW transaction log of Fader, Hardie & Lee
-- 2005): one purchase record. The file has no order id, channel, category, product or
-- discount. Each record is one order of one line: order_id is the record's line number
-- ('L' || source_row_number), so records on the same day stay separate orders, as the file
-- gives them (the lifetime-value models merge same-day purchases themselves). Every
-- purchase is of CDs (CDNOW sold music), so the category is 'cds'; the channel is
-- 'unknown'; discount_amount is 0 (the contract's default when a file gives none).
-- quantity is the number of CDs, amount the dollar value. A blank line, a line without
-- exactly five fields, or an unreadable date, count or amount is rejected with a reason.
with

source as (
    select * from {{ source('cdnow', 'purchases') }}
),

numbered as (
    select
        row_number() over () as source_row_number,
        fields,
        len(fields) as field_count
    from source
),

typed as (
    select
        source_row_number,
        field_count,
        case when field_count = 5 then fields[2] end as customer_id,
        case when field_count = 5 then try_strptime(fields[3], '%Y%m%d')::date end as order_date,
        case when field_count = 5 then try_cast(fields[4] as bigint) end as quantity,
        case when field_count = 5 then {{ parse_money('fields[5]') }} end as amount
    from numbered
),

final as (
    select
        source_row_number,
        'L' || source_row_number as order_id,
        customer_id,
        'unknown' as channel,
        cast(null as varchar) as product_id,
        'cds' as product_category,
        cast(null as varchar) as promo_code,
        quantity,
        amount,
        cast(0 as decimal(18, 2)) as discount_amount,
        order_date,
        {{ first_reason([
            ('field_count = 0', 'blank_line'),
            ('field_count <> 5', 'wrong_field_count'),
            ('customer_id is null', 'missing_customer_id'),
            ('order_date is null', 'unparseable_order_date'),
            ('order_date > current_date', 'future_order_date'),
            ('order_date < ' ~ earliest_plausible_date(), 'implausible_order_date'),
            ('amount is null', 'unparseable_amount'),
            ('amount < 0', 'negative_amount'),
            ('quantity is null', 'unparseable_quantity'),
            ('quantity <= 0', 'non_positive_quantity'),
        ]) }} as rejection_reason
    from typed
)

select * from final
