{#- Fails once per customer whose SQL nearest-centroid segment differs from the Python
    assignment, or who is missing from either side. -#}
{% test sql_and_python_segments_agree(model) %}
select
    coalesce(sql_side.customer_id, python_side.customer_id) as customer_id,
    sql_side.segment_id as sql_segment_id,
    python_side.segment_id as python_segment_id
from {{ model }} as sql_side
full outer join {{ ref('customer_segment_assignments') }} as python_side
    on sql_side.customer_id = python_side.customer_id
where sql_side.segment_id is distinct from python_side.segment_id
{% endtest %}
