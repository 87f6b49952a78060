{#- Parsing and normalisation used by every staging adapter. Each returns NULL for a value
    it cannot parse, so that staging can flag the row with a reason instead of failing. -#}

{#- Blank strings and the usual spellings of "missing" become NULL. -#}
{#- (Not nested nullif()s: DuckDB expands each nullif into a CASE that repeats its argument,
    so four nested ones evaluated lower(trim()) 16 times per value once a filter was pushed
    into a staging view; measured in BENCHMARKS.md.) -#}
{% macro clean_text(column) -%}
    case
        when lower(trim(cast({{ column }} as varchar))) in ('', 'na', 'nan', 'null') then null
        else lower(trim(cast({{ column }} as varchar)))
    end
{%- endmacro %}

{#- Every parser takes the column's type in the source (source_type, from
    contract_source_types; none when unknown). A column a Parquet file already stores typed
    (DECIMAL, INTEGER, DATE, BOOLEAN …) is cast, not printed as text and parsed back: at
    20 M order lines that text round trip was the most expensive part of staging
    (BENCHMARKS.md). Text columns (CSV, seeds, text Parquet) take the text path. -#}
{% macro source_type_family(source_type) -%}
    {%- set t = (source_type or '') | lower -%}
    {%- if t.startswith(('tinyint', 'smallint', 'integer', 'bigint', 'hugeint', 'utinyint',
                         'usmallint', 'uinteger', 'ubigint', 'uhugeint', 'int')) -%}
        {{ return('integer') }}
    {%- elif t.startswith(('decimal', 'numeric')) -%}
        {{ return('decimal') }}
    {%- elif t.startswith(('double', 'float', 'real')) -%}
        {{ return('float') }}
    {%- elif t == 'date' -%}
        {{ return('date') }}
    {%- elif t.startswith('timestamp') -%}
        {{ return('timestamp') }}
    {%- elif t == 'boolean' -%}
        {{ return('boolean') }}
    {%- else -%}
        {{ return('text') }}
    {%- endif -%}
{%- endmacro %}

{#- True when the value is missing: NULL, or for text a blank / "NA" / "null" spelling, or
    for a float column NaN. -#}
{% macro is_missing(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family == 'float' -%}
        ({{ column }} is null or isnan({{ column }}))
    {%- elif family != 'text' -%}
        ({{ column }} is null)
    {%- else -%}
        ({{ clean_text(column) }} is null)
    {%- endif -%}
{%- endmacro %}

{#- An identifier as text, trimmed, blank as NULL: the same as nullif(trim(x), ''), but
    without trimming (allocating a new string for) the usual value: all ASCII (strlen, in
    bytes, equals length, in characters), not starting or ending with a space, the only ASCII
    character trim() removes. Byte checks only: x[-1] walks the string's graphemes and cost
    as much as the trim (measured in BENCHMARKS.md). -#}
{% macro clean_key(column) -%}
    {%- set value = 'cast(' ~ column ~ ' as varchar)' -%}
    case
        when {{ value }} = '' then null
        when ascii({{ value }}) between 33 and 126
            and not suffix({{ value }}, ' ')
            and strlen({{ value }}) = length({{ value }})
            then {{ value }}
        else nullif(trim({{ value }}), '')
    end
{%- endmacro %}

{#- Money as text: currency signs, spaces and thousands separators removed; "(12.50)" and a
    trailing minus are negative. -#}
{% macro parse_money(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family in ('integer', 'decimal', 'float') -%}
    try_cast({{ column }} as decimal(18, 2))
    {%- else -%}
    try_cast(
        regexp_replace(
            regexp_replace(trim(cast({{ column }} as varchar)), '^\((.*)\)$', '-\1'),
            '[^0-9.\-]', '', 'g'
        ) as decimal(18, 2)
    )
    {%- endif -%}
{%- endmacro %}

{% macro parse_integer(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family in ('integer', 'decimal', 'float') -%}
    try_cast({{ column }} as bigint)
    {%- else -%}
    try_cast(try_cast(trim(cast({{ column }} as varchar)) as double) as bigint)
    {%- endif -%}
{%- endmacro %}

{% macro parse_decimal(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family in ('integer', 'decimal', 'float') -%}
    cast({{ column }} as double)
    {%- else -%}
    try_cast(trim(cast({{ column }} as varchar)) as double)
    {%- endif -%}
{%- endmacro %}

{#- ISO dates first, then day-first and month-first forms seen in real exports. -#}
{% macro parse_date(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family == 'date' -%}
    {{ column }}
    {%- elif family == 'timestamp' -%}
    cast({{ column }} as date)
    {%- else -%}
    coalesce(
        try_cast(trim(cast({{ column }} as varchar)) as date),
        cast(try_strptime(trim(cast({{ column }} as varchar)), '%d-%m-%Y') as date),
        cast(try_strptime(trim(cast({{ column }} as varchar)), '%d/%m/%Y') as date),
        cast(try_strptime(trim(cast({{ column }} as varchar)), '%Y%m%d') as date)
    )
    {%- endif -%}
{%- endmacro %}

{% macro parse_boolean(column, source_type=none) -%}
    {%- if source_type_family(source_type) == 'boolean' -%}
    {{ column }}
    {%- else -%}
    case {{ clean_text(column) }}
        when 'true' then true when 't' then true when 'yes' then true when 'y' then true
        when '1' then true when 'member' then true
        when 'false' then false when 'f' then false when 'no' then false when 'n' then false
        when '0' then false when 'non-member' then false
    end
    {%- endif -%}
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
