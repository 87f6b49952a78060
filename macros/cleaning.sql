{#- Parsing and normalisation used by every staging adapter. Each returns NULL for a value
    it cannot parse, so that staging can flag the row with a reason instead of failing. -#}

{#- The usual spellings of "missing" in exports, lower-case: pandas and R write NA / NaN,
    databases NULL, spreadsheets and forms N/A, and Excel #N/A for a failed lookup. A value
    spelled so is blank in every column, keys included (clean_key): "N/A" is not a gender,
    a region or a customer. -#}
{% macro missing_text_spellings() -%}
    {{ return(['', 'na', 'nan', 'null', 'n/a', '#n/a']) }}
{%- endmacro %}

{#- True when the lower-cased text `value` is one of the spellings. list_contains, not
    `in (...)`: DuckDB's plan turns an IN list of these six constants (not of the four
    before N/A and #N/A) into a hash join against them, evaluated for every row, also in a
    CASE branch most rows never reach. In clean_key, cleaning the 1m data's 20 M customer
    ids took 1.7 s with it against 0.36 s before, and 0.37 s with list_contains; the keys
    are cleaned in every read of the orders. -#}
{% macro is_missing_text(value) -%}
    list_contains([{% for spelling in missing_text_spellings() %}'{{ spelling }}'{{ ", " if not loop.last }}{% endfor %}], {{ value }})
{%- endmacro %}

{#- Blank strings and the usual spellings of "missing" become NULL. -#}
{#- (Not nested nullif()s: DuckDB expands each nullif into a CASE that repeats its argument,
    so four nested ones evaluated lower(trim()) 16 times per value once a filter was pushed
    into a staging view; measured in BENCHMARKS.md.) -#}
{% macro clean_text(column) -%}
    case
        when {{ is_missing_text('lower(trim(cast(' ~ column ~ ' as varchar)))') }} then null
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
    as much as the trim (measured in BENCHMARKS.md). A spelling of "missing"
    (missing_text_spellings: "NULL", "N/A" ...; at most 4 bytes, so the usual key skips the
    lower()) is blank too: a customers export with "NULL" ids would otherwise hold a
    customer called NULL, and the orders whose customer_id is "NULL" would be accepted as
    that customer's. -#}
{% macro clean_key(column) -%}
    {%- set value = 'cast(' ~ column ~ ' as varchar)' -%}
    case
        when {{ value }} = '' then null
        when strlen({{ value }}) <= 4 and {{ is_missing_text('lower(' ~ value ~ ')') }} then null
        when ascii({{ value }}) between 33 and 126
            and not suffix({{ value }}, ' ')
            and strlen({{ value }}) = length({{ value }})
            then {{ value }}
        when {{ is_missing_text('lower(trim(' ~ value ~ '))') }} then null
        else trim({{ value }})
    end
{%- endmacro %}

{#- Money as text. A currency sign or ISO 4217 code before or after the number ("$12",
    "12 EUR", "12usd", "-$12", "US$ 12") is dropped; negatives are "-12", "(12)" - also with the
    currency outside the brackets, as accounting formats write "$ (1,234.10)" - and a
    trailing minus ("12.50-"). The number itself must be plain digits with an optional decimal
    point ("1234.5"), comma thousands ("1,234.50"), space thousands ("1 234.50", also
    no-break and narrow no-break spaces) or scientific notation ("1.5E+03", as spreadsheets
    export large values). Anything else is NULL, which staging rejects as unparseable:
    characters are never deleted from inside a number, and unknown words are not taken for
    currencies (only the codes of money_currency_codes are), so "1 234,50" (read by
    contract_decimal_comma first), "2e1", "12abc34", "12abc", "10 pcs", "12 CR" or "1.5E"
    cannot turn into a different amount. -#}
{% macro parse_money(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family in ('integer', 'decimal', 'float') -%}
    try_cast({{ column }} as decimal(18, 2))
    {%- else -%}
    {%- set number -%}
        regexp_replace(
            {{ money_drop_currency(
                "regexp_replace(" ~ money_drop_currency("trim(cast(" ~ column ~ " as varchar))")
                ~ ", '^\\((.*)\\)$', '-\\1')"
            ) }},
            '^(.*[0-9.])\s*-$', '-\1'
        )
    {%- endset -%}
    case
        when regexp_full_match({{ number }}, '-?[0-9]+([.][0-9]*)?[eE][-+]?[0-9]+')
            then try_cast(try_cast({{ number }} as double) as decimal(18, 2))
        when regexp_full_match({{ number }}, '-?{{ grouped_digits() }}([.][0-9]*)?|-?[.][0-9]+')
            then try_cast(
                regexp_replace({{ number }}, '{{ group_separators() }}', '', 'g') as decimal(18, 2)
            )
    end
    {%- endif -%}
{%- endmacro %}

{#- The whole part of a number as parse_money and parse_integer read it (a regex): plain
    digits, or digits grouped in threes by commas ("1,234,567") or by spaces ("1 234 567",
    also no-break and narrow no-break spaces). One definition, so that a quantity takes the
    thousands spellings an amount takes. A decimal-comma file's dot groups ("1.234") reach
    the parsers as plain digits (contract_decimal_comma). A group of thousands never starts
    with a lone 0: "0,125" is no thousands spelling (it is a decimal comma, which
    contract_decimal_comma reads first), so it is unparseable here; until 2026-12-07 it
    was read as 125. -#}
{% macro grouped_digits() -%}
    ([0-9]+|[1-9][0-9]{0,2}(,[0-9]{3})+|[1-9][0-9]{0,2}([ \x{00A0}\x{202F}][0-9]{3})+)
{%- endmacro %}

{#- The characters grouped_digits allows between groups (a regex class), which the parsers
    drop before the cast. -#}
{% macro group_separators() -%}
    [, \x{00A0}\x{202F}]
{%- endmacro %}

{#- The ISO 4217 codes parse_money drops before or after an amount, in any letter case: the
    most traded currencies and those of the signs money_drop_currency reads (₹ INR, ₩ KRW,
    ₽ RUB, ₺ TRY, ₴ UAH, ₦ NGN, ₱ PHP, ฿ THB). An allow-list, not "any three letters": a
    unit or a typo ("10 pcs", "99 box", "12abc") is unparseable, never read as the number
    before it. Not every ISO code is here, because some are words that follow a count in
    exports ("ALL", "CUP", "PEN", "TOP"); a file in another currency has its amounts
    rejected as unparseable_amount, with the text kept in marts.rejected_rows, until its
    code is added to this list. -#}
{% macro money_currency_codes() -%}
    {{ return([
        'USD', 'EUR', 'GBP', 'JPY', 'CNY', 'CHF', 'CAD', 'AUD', 'NZD', 'HKD', 'SGD', 'SEK',
        'NOK', 'DKK', 'PLN', 'CZK', 'HUF', 'ILS', 'INR', 'KRW', 'TWD', 'THB', 'IDR', 'MYR',
        'PHP', 'ZAR', 'NGN', 'BRL', 'MXN', 'RUB', 'UAH', 'TRY', 'AED', 'SAR',
    ]) }}
{%- endmacro %}

{#- parse_money's currency token at either end of ``text`` (SQL), keeping a sign written
    before it: a sign, an ISO code of money_currency_codes (any letter case), or up to two
    letters and a sign ("US$", "R$"). -#}
{% macro money_drop_currency(text) -%}
    {%- set codes = money_currency_codes() | join('|') -%}
    {%- set currency = "(?:(?i:" ~ codes ~ ")|[A-Za-z]{0,2}[$€£¥₹¢₩₽₺₴₦₱฿])" -%}
    regexp_replace(
        regexp_replace({{ text }}, '^(-?)\s*{{ currency }}\s*', '\1'),
        '\s*{{ currency }}$', ''
    )
{%- endmacro %}

{#- An integer as text: digits with an optional sign, with the thousands spellings of
    parse_money (grouped_digits: "1,000", "1 000"), or a whole number written with a decimal
    point ("3.0", "1,000.0"); "2.5" is NULL (unparseable), not rounded to 2. Until
    2026-12-07 a quantity "1,000" was unparseable while an amount "1,000" was 1000. Plain
    digits, the usual value, take the first branch. The same for a DOUBLE or DECIMAL
    Parquet column (pandas writes an integer column with a blank as float64): 3.0 is 3, 2.5
    is NULL, where a cast would round it to 2 or 3 without a word. -#}
{% macro parse_integer(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family == 'integer' -%}
    try_cast({{ column }} as bigint)
    {%- elif family in ('decimal', 'float') -%}
    case when {{ column }} = trunc({{ column }}) then try_cast({{ column }} as bigint) end
    {%- else -%}
    {%- set text = 'trim(cast(' ~ column ~ ' as varchar))' -%}
    case
        when regexp_full_match({{ text }}, '[-+]?[0-9]+')
            then try_cast({{ text }} as bigint)
        when regexp_full_match({{ text }}, '[-+]?{{ grouped_digits() }}([.]0*)?')
            then try_cast(
                split_part(regexp_replace({{ text }}, '{{ group_separators() }}', '', 'g'), '.', 1)
                as bigint
            )
    end
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

{#- The order of day and month in slash and dash dates: var('date_order'), 'day_first'
    ("05/02/2024" is 5 February; the default) or 'month_first' (US exports: 2 May). Any other
    value stops the build, naming the var. -#}
{% macro date_order() -%}
    {%- set value = var('date_order', 'day_first') | string | trim | lower -%}
    {%- if value not in ['day_first', 'month_first'] -%}
        {{ exceptions.raise_compiler_error(
            "var date_order must be day_first (05/02/2024 is 5 February, the default) or "
            ~ "month_first (05/02/2024 is 2 May), not '" ~ value ~ "'"
        ) }}
    {%- endif -%}
    {{ return(value) }}
{%- endmacro %}

{#- ISO dates first (with or without a time: "2024-01-05", "2024-01-05T10:00:00Z",
    "2024/1/5"), then the slash and dash forms seen in real exports, day-first ("31-12-2024",
    "31/12/2024") or, with var date_order = month_first, month-first ("12/31/2024"), the
    dotted day-first form of German and other European exports ("31.12.2024"),
    "20241231", and dates with an English month name ("Dec 31, 2024", "31 December 2024",
    "31-Dec-2024"). Each form is matched in full before it is read, with a four-digit year
    (DuckDB's own cast and strptime read "05/02/23" as the year 5 or 23, which would be a
    wrong date rather than a rejected one), or with a two-digit year in the short forms
    spreadsheets and Oracle write ("05/02/23", "05.02.23", "05-Feb-23"), read in
    strptime's %y window: 69-99 are 1969-1999, 00-68 2000-2068 (Excel's window, 30-99 for
    1930-1999, would differ only for 30-68, which is before earliest_plausible_date or
    after today either way, so the line is rejected in both). Until 2026-12-07 a two-digit
    year was unparseable, so a file saved from a spreadsheet's short dates lost every line;
    short dates written year first ("24/01/31") stop the build (contract_check_date_order).
    A text date column holding a value that can only be read the other way round stops the
    build before any model
    (contract_check_date_order); a single ambiguous value cannot be told apart. A Parquet
    TIMESTAMP WITH TIME ZONE is an instant: it is read as its day in UTC, so that one file
    gives the same dates on every machine (a plain cast takes the day in the build
    machine's time zone: 2023-02-05 03:00 UTC was 2023-02-04 in California). -#}
{% macro parse_date(column, source_type=none) -%}
    {%- set family = source_type_family(source_type) -%}
    {%- if family == 'date' -%}
    {{ column }}
    {%- elif family == 'timestamp' and (source_type | lower).startswith(('timestamp with time zone', 'timestamptz')) -%}
    {#- an instant: its day in UTC, not in the time zone of the machine that builds -#}
    cast(timezone('UTC', {{ column }}) as date)
    {%- elif family == 'timestamp' -%}
    cast({{ column }} as date)
    {%- else -%}
    {%- set text = 'trim(cast(' ~ column ~ ' as varchar))' -%}
    {#- an optional time of day after a date: " 10:00", "T10:00:00Z", " 10:00:00.123+02:00",
        with the zone also after a space (" 10:00:00 +0100"), named UTC, as BigQuery
        exports write timestamps (" 10:00:00 UTC"), or named after a space by its
        abbreviation (" 10:00 PST", " 10:00 CEST", " 10:00 MSK": capitals ending in T, as
        nearly all do) or its IANA name (" 10:00 America/New_York"). The day written is the
        day read, whatever the zone, so the name is matched, not looked up. -#}
    {%- set zone = "( ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)| ([A-Z]{1,4}T|MSK|[A-Z][a-z]+(/[A-Z][A-Za-z_]+)+))" -%}
    {%- set time = "([ T][0-9]{1,2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?" ~ zone ~ "?)?" -%}
    {%- set day = "split_part(split_part(" ~ text ~ ", ' ', 1), 'T', 1)" -%}
    {%- set first, second = ('%m', '%d') if date_order() == 'month_first' else ('%d', '%m') %}
    {%- set month_name_day = "([A-Za-z]{3,9}[.]? [0-9]{1,2},? [0-9]{4}|[0-9]{1,2}[ -][A-Za-z]{3,9}[.]?,?[ -][0-9]{4})" %}
    case
        when regexp_full_match({{ text }}, '[0-9]{4}[-/][0-9]{1,2}[-/][0-9]{1,2}{{ time }}')
            then try_cast(replace({{ day }}, '/', '-') as date)
        when regexp_full_match({{ text }}, '[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}{{ time }}')
            then cast(try_strptime({{ day }}, '{{ first }}-{{ second }}-%Y') as date)
        when regexp_full_match({{ text }}, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}{{ time }}')
            then cast(try_strptime({{ day }}, '{{ first }}/{{ second }}/%Y') as date)
        {#- dotted dates are day-first wherever they are written (German, Russian,
            Scandinavian exports: "05.01.2024" is 5 January), whatever var date_order says -#}
        when regexp_full_match({{ text }}, '[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{4}{{ time }}')
            then cast(try_strptime({{ day }}, '%d.%m.%Y') as date)
        when regexp_full_match({{ text }}, '[0-9]{8}')
            then cast(try_strptime({{ text }}, '%Y%m%d') as date)
        {#- a two-digit year, as spreadsheets' short dates ("5/1/24", "05.01.24") and
            Oracle's DD-MON-YY ("05-JAN-24") write it: 69-99 are 1969-1999, 00-68 are
            2000-2068 (strptime's %y). A dash between numbers with a two-digit year is not
            read: "24-01-05" could be year first. -#}
        when regexp_full_match({{ text }}, '[0-9]{1,2}/[0-9]{1,2}/[0-9]{2}{{ time }}')
            then cast(try_strptime({{ day }}, '{{ first }}/{{ second }}/%y') as date)
        when regexp_full_match({{ text }}, '[0-9]{1,2}[.][0-9]{1,2}[.][0-9]{2}{{ time }}')
            then cast(try_strptime({{ day }}, '%d.%m.%y') as date)
        when regexp_full_match({{ text }}, '[0-9]{1,2}-[A-Za-z]{3}-[0-9]{2}{{ time }}')
            then cast(try_strptime({{ day }}, '%d-%b-%y') as date)
        {#- an English month name says which number is the month, whatever var date_order
            says: "Jan 5, 2024", "January 5 2024", "5 Jan 2024", "05-Jan-2024" (Excel's and
            Oracle's dd-mmm-yyyy); other names ("Sept", "Mai") stay unparseable -#}
        when regexp_full_match({{ text }}, '{{ month_name_day }}{{ time }}')
            then cast(try_strptime(
                replace(regexp_replace(regexp_extract({{ text }}, '^{{ month_name_day }}'), '[.,]', '', 'g'), '-', ' '),
                ['%b %d %Y', '%B %d %Y', '%d %b %Y', '%d %B %Y']
            ) as date)
    end
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

{#- First non-null reason wins; the order of the checks is the order of precedence. A check
    whose condition is none is left out (one that applies to some files only, such as
    ambiguous_amount: contract_ambiguous_columns). -#}
{% macro first_reason(checks) -%}
    case
    {%- for condition, reason in checks if condition is not none %}
        when {{ condition }} then '{{ reason }}'
    {%- endfor %}
    end
{%- endmacro %}

{% macro safe_divide(numerator, denominator) -%}
    ({{ numerator }}) / nullif({{ denominator }}, 0)
{%- endmacro %}
