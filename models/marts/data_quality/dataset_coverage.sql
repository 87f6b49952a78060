-- One row per mart: whether the selected dataset (var dataset) feeds it, and if not why not.
-- Derived from what the dataset carries (macros/datasets.sql, dataset_registry) and what
-- each mart needs (mart_requirements): a mart whose requirement is missing holds no data
-- for this dataset ('not_fed': empty, or a fixed grid of zeros) - never invented values; a
-- mart that only uses something missing is built but partial (those groupings are
-- 'unknown', those measures NULL).
-- The Jinja statements up to 'with' build the rows; LT02 reads their indentation as SQL's.
-- noqa: disable=LT02
{%- set dataset = var('dataset', 'contract') %}
{%- set spec = dataset_capabilities() %}
{%- set grain_notes = {
    'order_lines': 'it has dated order lines',
    'undated_order_lines': 'its product lines have no dates',
    'customer_summary': 'it states totals per customer, not orders',
} %}
{%- set rows = [] %}
{%- for mart_name, needs in mart_requirements() | dictsort %}
    {%- set missing_required = needs['requires'] | reject('in', spec['has']) | list %}
    {%- set missing_used = needs['uses'] | reject('in', spec['has']) | list %}
    {%- if missing_required %}
        {%- set status = 'not_fed' %}
        {%- set reason = 'Needs ' ~ describe_capabilities(missing_required)
            ~ '; ' ~ dataset ~ ' has none (' ~ grain_notes[spec['purchase_grain']] ~ ').' %}
    {%- elif needs.get('requires_var') and (var(needs['requires_var'], '') | string) == '' %}
        {%- set status = 'not_fed' %}
        {%- set reason = 'Needs var ' ~ needs['requires_var'] ~ ' (not set for this build).' %}
    {%- elif missing_used %}
        {%- set status = 'partial' %}
        {%- set reason = 'Built without ' ~ describe_capabilities(missing_used)
            ~ ', which ' ~ dataset ~ ' does not have: those groupings are unknown and those measures NULL.' %}
    {%- else %}
        {%- set status = 'fed' %}
        {%- set reason = '' %}
    {%- endif %}
    {%- do rows.append({
        'mart_name': mart_name,
        'status': status,
        'missing_requirements': missing_required | join(','),
        'missing_inputs': missing_used | join(','),
        'reason': reason,
        'data_measure': needs.get('measure', 'count(*)'),
    }) %}
{%- endfor %}
-- noqa: enable=LT02
with

coverage as (
    select * from (
        values
        {%- for row in rows %}
        (
            '{{ row.mart_name }}',
            '{{ row.status }}',
            '{{ row.missing_requirements }}',
            '{{ row.missing_inputs }}',
            '{{ row.reason | replace("'", "''") }}',
            '{{ row.data_measure }}'
        ){{ "," if not loop.last }}
        {%- endfor %}
    ) as declared (mart_name, status, missing_requirements, missing_inputs, reason, data_measure)
),

final as (
    select
        '{{ dataset }}' as dataset,
        '{{ spec["label"] | replace("'", "''") }}' as dataset_label,
        '{{ spec["purchase_grain"] }}' as purchase_grain,
        '{{ "files" if var("data_dir", "") else "demo_seeds" }}' as data_source,
        mart_name,
        status,
        nullif(missing_requirements, '') as missing_requirements,
        nullif(missing_inputs, '') as missing_inputs,
        nullif(reason, '') as reason,
        data_measure
    from coverage
)

select * from final
