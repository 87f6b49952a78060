-- One row per demographic variable and bin: how the customers spread over age, annual income,
-- household size, children at home, marital status, education and gender (source document
-- 002, "the distribution of key variables to understand the demographics of our customer
-- base, such as age, income, and family size", drawn as histograms and bar charts). Each
-- variable accounts for every customer once: in one of its bins, in its 'unknown' row (no
-- value), or, for income, in its 'outlier' row (an income beyond Q3 + 3 x IQR, kept but left
-- out of income statistics as in every mart). A variable the data lack has its 'unknown' row
-- only. The bin rules are in the model's YAML and DECISIONLOG.md ("Insight marts").
{%- set max_income_bins = 11 %}
{#- whole-number variables: first bin, open top bin ("5 or more") -#}
{%- set count_variables = {'household_size': [1, 5], 'children_count': [0, 3]} %}
{%- set categorical_variables = ['marital_status', 'education', 'gender'] %}
with

customers as (
    select * from {{ ref('customers') }}
),

age_bands as (
    select * from {{ ref('age_bands') }}
),

-- The variables, in the order a reader meets them.
variables as (
    select * from (
        values
        ('age', 1, 'Age', 'numeric'),
        ('annual_income', 2, 'Annual income', 'numeric'),
        ('household_size', 3, 'Household size', 'numeric'),
        ('children_count', 4, 'Children at home', 'numeric'),
        ('marital_status', 5, 'Marital status', 'categorical'),
        ('education', 6, 'Education', 'categorical'),
        ('gender', 7, 'Gender', 'categorical')
    ) as declared (variable, variable_order, variable_label, variable_kind)
),

-- Household size as document 002 counts family size: the adults the marital status implies
-- (two when married or living together, one when single, divorced or widowed) plus the
-- children at home. Unknown when either is unknown.
households as (
    select
        customer_id,
        case
            when marital_status in ('married', 'together') then 2
            when marital_status in ('single', 'divorced', 'widowed') then 1
        end + children_count as household_size,
        children_count
    from customers
),

-- Income bins: the smallest "nice" width (1, 2, 2.5 or 5 times a power of ten) that spans
-- the non-outlier incomes in at most ten bins, the first starting at a multiple of the
-- width (so at most eleven bins). An aggregate without rows still returns one row, of NULLs:
-- data without incomes give no bins.
income_range as (
    select
        cast(min(annual_income) as double) as lowest,
        cast(max(annual_income) as double) as highest
    from customers
    where not is_income_outlier
),

income_least_width as (
    select
        lowest,
        highest,
        -- a tenth of the range; a tenth of the income itself when every income is the same
        case
            when highest > lowest then (highest - lowest) / 10
            when highest > 0 then highest / 10
            else 1
        end as least_width
    from income_range
),

income_magnitude as (
    select
        *,
        pow(10, floor(log10(least_width))) as magnitude
    from income_least_width
),

income_grid as (
    select
        lowest,
        highest,
        nice_width,
        floor(lowest / nice_width) * nice_width as grid_start
    from (
        select
            lowest,
            highest,
            magnitude * case
                when least_width <= magnitude then 1
                when least_width <= 2 * magnitude then 2
                when least_width <= 2.5 * magnitude then 2.5
                when least_width <= 5 * magnitude then 5
                else 10
            end as nice_width
        from income_magnitude
    ) as widths
),

bin_numbers as (
    {{ dbt.generate_series(max_income_bins) }}
),

income_bins as (
    select
        bin_numbers.generated_number as bin_order,
        income_grid.grid_start
        + (bin_numbers.generated_number - 1) * income_grid.nice_width as bin_lower,
        income_grid.grid_start + bin_numbers.generated_number * income_grid.nice_width
            as bin_upper
    from income_grid
    cross join bin_numbers
    where
        income_grid.grid_start + (bin_numbers.generated_number - 1) * income_grid.nice_width
        <= income_grid.highest
),

-- Bounds as a reader writes them: 20,000, or 2.5 when the width is not whole.
income_bin_labels as (
    select
        bin_order,
        bin_lower,
        bin_upper,
        case
            when bin_lower = floor(bin_lower) then format('{:,}', cast(bin_lower as bigint))
            else format('{:,}', bin_lower)
        end as lower_text,
        case
            when bin_upper = floor(bin_upper) then format('{:,}', cast(bin_upper as bigint))
            else format('{:,}', bin_upper)
        end as upper_text
    from income_bins
),

-- Every bin of the numeric variables, empty ones included (a histogram shows its gaps).
-- Lower bounds are inclusive, upper bounds exclusive; NULL upper = open top bin.
numeric_bins as (
    select
        'age' as variable,
        age_group_order as bin_order,
        age_group as bin_label,
        cast(min_age as double) as bin_lower,
        cast(max_age + 1 as double) as bin_upper
    from age_bands
    union all
    select
        'annual_income',
        bin_order,
        lower_text || '–' || upper_text,
        bin_lower,
        bin_upper
    from income_bin_labels
    {%- for variable, (first, top) in count_variables.items() %}
    union all
    select
        '{{ variable }}',
        bin_numbers.generated_number,
        case
            when bin_numbers.generated_number = {{ top - first + 1 }} then '{{ top }} or more'
            else cast(bin_numbers.generated_number + {{ first - 1 }} as varchar)
        end,
        cast(bin_numbers.generated_number + {{ first - 1 }} as double),
        case
            when bin_numbers.generated_number < {{ top - first + 1 }}
                then cast(bin_numbers.generated_number + {{ first }} as double)
        end
    from bin_numbers
    where bin_numbers.generated_number <= {{ top - first + 1 }}
    {%- endfor %}
),

-- Each income's bin: 1 + the whole widths between the grid's start and the income.
income_positions as (
    select
        customers.customer_id,
        customers.annual_income,
        customers.is_income_outlier,
        1 + floor(
            (cast(customers.annual_income as double) - income_grid.grid_start)
            / income_grid.nice_width
        ) as bin_position
    from customers
    cross join income_grid
),

-- Long form: one row per customer and variable, with the bin it falls in (bin_order for the
-- numeric variables, the value for the others) or 'unknown' / 'outlier'.
customer_bins as (
    select
        'age' as variable,
        customer_id,
        case when age_group = 'unknown' then 'unknown' else 'bin' end as bin_kind,
        case when age_group <> 'unknown' then age_group_order end as bin_order,
        cast(null as varchar) as bin_value
    from customers
    union all
    select
        'annual_income',
        customer_id,
        case
            when annual_income is null then 'unknown'
            when is_income_outlier then 'outlier'
            else 'bin'
        end,
        case
            when annual_income is not null and not is_income_outlier
                then cast(bin_position as integer)
        end,
        null
    from income_positions
    {%- for variable, (first, top) in count_variables.items() %}
    union all
    select
        '{{ variable }}',
        customer_id,
        case when {{ variable }} is null then 'unknown' else 'bin' end,
        least({{ variable }}, {{ top }}) - {{ first - 1 }},
        null
    from households
    {%- endfor %}
    {%- for variable in categorical_variables %}
    union all
    select
        '{{ variable }}',
        customer_id,
        case when coalesce({{ variable }}, 'unknown') = 'unknown' then 'unknown' else 'bin' end,
        null,
        case when {{ variable }} <> 'unknown' then {{ variable }} end
    from customers
    {%- endfor %}
),

numeric_counts as (
    select
        numeric_bins.variable,
        numeric_bins.bin_order,
        numeric_bins.bin_label,
        'bin' as bin_kind,
        numeric_bins.bin_lower,
        numeric_bins.bin_upper,
        count(customer_bins.customer_id) as customer_count
    from numeric_bins
    left join customer_bins
        on numeric_bins.variable = customer_bins.variable
        and numeric_bins.bin_order = customer_bins.bin_order
        and customer_bins.bin_kind = 'bin'
    group by
        numeric_bins.variable,
        numeric_bins.bin_order,
        numeric_bins.bin_label,
        numeric_bins.bin_lower,
        numeric_bins.bin_upper
),

-- The values of a categorical variable, commonest first (ties by the value).
categorical_counts as (
    select
        variable,
        cast(row_number() over (
            partition by variable order by count(*) desc, bin_value
        ) as integer) as bin_order,
        bin_value as bin_label,
        'bin' as bin_kind,
        cast(null as double) as bin_lower,
        cast(null as double) as bin_upper,
        count(*) as customer_count
    from customer_bins
    where bin_kind = 'bin' and bin_value is not null
    group by variable, bin_value
),

binned as (
    select * from numeric_counts
    union all
    select * from categorical_counts
),

-- Every variable has an 'unknown' row and income an 'outlier' row, zero when nobody is in
-- it, after the variable's bins (outlier, then unknown).
special_rows as (
    select
        variable,
        'unknown' as bin_kind,
        'unknown' as bin_label,
        case when variable = 'annual_income' then 2 else 1 end as position_after_bins
    from variables
    union all
    select
        'annual_income',
        'outlier',
        'outlier (above Q3 + 3 × IQR)',
        1
),

bin_counts as (
    select
        variable,
        max(bin_order) as last_bin_order
    from binned
    group by variable
),

special_counts as (
    select
        special_rows.variable,
        coalesce(bin_counts.last_bin_order, 0) + special_rows.position_after_bins as bin_order,
        special_rows.bin_label,
        special_rows.bin_kind,
        cast(null as double) as bin_lower,
        cast(null as double) as bin_upper,
        count(customer_bins.customer_id) as customer_count
    from special_rows
    left join bin_counts
        on special_rows.variable = bin_counts.variable
    left join customer_bins
        on special_rows.variable = customer_bins.variable
        and special_rows.bin_kind = customer_bins.bin_kind
    group by
        special_rows.variable,
        special_rows.position_after_bins,
        special_rows.bin_label,
        special_rows.bin_kind,
        bin_counts.last_bin_order
),

all_rows as (
    select * from binned
    union all
    select * from special_counts
),

-- Customers in the variable's bins (its known, non-outlier values) and, for the numeric
-- variables, how many lie in this bin or an earlier one.
running as (
    select
        all_rows.*,
        variables.variable_order,
        variables.variable_label,
        variables.variable_kind,
        sum(case when all_rows.bin_kind = 'bin' then all_rows.customer_count end)
            over (partition by all_rows.variable)
            as binned_customer_count,
        sum(all_rows.customer_count) over (
            partition by all_rows.variable, all_rows.bin_kind
            order by all_rows.bin_order
            rows between unbounded preceding and current row
        ) as running_customer_count
    from all_rows
    inner join variables
        on all_rows.variable = variables.variable
),

cumulated as (
    select
        *,
        case
            when bin_kind = 'bin' and variable_kind = 'numeric' then running_customer_count
        end as cumulative_customer_count
    from running
),

final as (
    select
        variable,
        variable_label,
        variable_kind,
        cast(variable_order as integer) as variable_order,
        cast(bin_order as integer) as bin_order,
        bin_label,
        bin_kind,
        bin_lower,
        bin_upper,
        customer_count,
        case
            when bin_kind = 'bin'
                then round({{ safe_divide('customer_count', 'binned_customer_count') }}, 6)
        end as customer_share,
        round(
            {{ safe_divide('cumulative_customer_count', 'binned_customer_count') }}, 6
        ) as cumulative_customer_share,
        round({{ share_of_total('customer_count', partition_by='variable') }}, 6)
            as share_of_all_customers,
        -- the bin of the middle customer in the variable's order (for an even count, the
        -- lower of the two middle ones)
        coalesce(
            2 * cumulative_customer_count >= binned_customer_count
            and 2 * (cumulative_customer_count - customer_count) < binned_customer_count,
            false
        ) as is_median_bin
    from cumulated
)

select * from final
