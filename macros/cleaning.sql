{#- Parsing and normalisation used by every staging adapter. Each returns NULL for a value
    it cannot parse, so that staging can flag the row with a reason instead of failing. -#}

{#- Blank strings and the usual spellings of "missing" become NULL. -#}
{% macro clean_text(column) -%}
    nullif(nullif(nullif(nullif(lower(trim(cast({{ column }} as varchar))), ''), 'na'), 'nan'), 'null')
{%- endmacro %}

{#- Money as text: currency signs, spaces and thousands separators removed; "(12.50)" and a
    trailing minus are negative. -#}
{% macro parse_money(column) -%}
    try_cast(
        regexp_replace(
            regexp_replace(trim(cast({{ column }} as varchar)), '^\((.*)\)$', '-\1'),
            '[^0-9.\-]', '', 'g'
        ) as decimal(18, 2)
    )
{%- endmacro %}

{% macro parse_integer(column) -%}
    try_cast(try_cast(trim(cast({{ column }} as varchar)) as double) as bigint)
{%- endmacro %}

{% macro parse_decimal(column) -%}
    try_cast(trim(cast({{ column }} as varchar)) as double)
{%- endmacro %}

{#- ISO dates first, then day-first and month-first forms seen in real exports. -#}
{% macro parse_date(column) -%}
    coalesce(
        try_cast(trim(cast({{ column }} as varchar)) as date),
        cast(try_strptime(trim(cast({{ column }} as varchar)), '%d-%m-%Y') as date),
        cast(try_strptime(trim(cast({{ column }} as varchar)), '%d/%m/%Y') as date),
        cast(try_strptime(trim(cast({{ column }} as varchar)), '%Y%m%d') as date)
    )
{%- endmacro %}

{% macro parse_boolean(column) -%}
    case {{ clean_text(column) }}
        when 'true' then true when 't' then true when 'yes' then true when 'y' then true
        when '1' then true when 'member' then true
        when 'false' then false when 'f' then false when 'no' then false when 'n' then false
        when '0' then false when 'non-member' then false
    end
{%- endmacro %}

{% macro normalize_gender(column) -%}
    case
        when {{ clean_text(column) }} is null then 'unknown'
        when {{ clean_text(column) }} in ('f', 'female', 'woman', 'w') then 'female'
        when {{ clean_text(column) }} in ('m', 'male', 'man') then 'male'
        else 'other'
    end
{%- endmacro %}

{#- Marital status onto single / married / together / divorced / widowed / unknown.
    Anything else ("YOLO", "Absurd") becomes unknown and is flagged by the caller with
    is_known_marital_status. -#}
{% macro normalize_marital_status(column) -%}
    case {{ clean_text(column) }}
        when 'single' then 'single' when 'alone' then 'single' when 's' then 'single'
        when 'unmarried' then 'single' when '0' then 'single'
        when 'married' then 'married' when 'm' then 'married' when '1' then 'married'
        when 'together' then 'together' when 'cohabiting' then 'together'
        when 'divorced' then 'divorced' when 'separated' then 'divorced'
        when 'widow' then 'widowed' when 'widowed' then 'widowed'
        else 'unknown'
    end
{%- endmacro %}

{% macro is_known_marital_status(column) -%}
    ({{ clean_text(column) }} is null or {{ normalize_marital_status(column) }} <> 'unknown')
{%- endmacro %}

{#- First non-null reason wins; the order of the checks is the order of precedence. -#}
{% macro first_reason(checks) -%}
    case
    {%- for condition, reason in checks %}
        when {{ condition }} then '{{ reason }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
