-- One row per sales channel and product category: what is bought where (source document
-- 004, "channel × product spend"). Empty for a dataset that states neither channels nor
-- categories (macros/datasets.sql): its lines' 'unknown' channel and one category are not a
-- channel × category split.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
    {%- if not (dataset_has('channels') and dataset_has('categories')) %}
    where false
    {%- endif %}
),

final as (
    select
        channel,
        product_category,
        count(distinct customer_id) as customer_count,
        count(distinct order_id) as order_count,
        count(*) as order_line_count,
        {{ integer_sum('quantity') }} as quantity,
        {{ money_sum('amount') }} as spend,
        round(sum(amount) / sum(sum(amount)) over (), 6) as spend_share,
        round(sum(amount) / sum(sum(amount)) over (partition by channel), 6)
            as share_of_channel_spend,
        round(sum(amount) / count(distinct customer_id), 2) as spend_per_customer,
        round(sum(amount) / count(*), 2) as mean_line_amount
    from order_lines
    group by channel, product_category
)

select * from final
