-- One row per accepted, dated order line whose product category is the dataset's own: every
-- line of int_order_lines, or none when the dataset's lines carry no category of their own
-- (CDNOW: every line is a CD, the category a placeholder), so the models that split lines
-- by category find nothing to split instead of one made-up category.
with

order_lines as (
    select * from {{ ref('int_order_lines') }}
    {%- if not dataset_has('categories') %}
    where false
    {%- endif %}
),

final as (
    select * from order_lines
)

select * from final
