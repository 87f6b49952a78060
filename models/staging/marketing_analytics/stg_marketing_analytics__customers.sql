-- One row per raw row of marketing_data.csv (source document 002): the customer, typed and normalised
-- (macros/ifood.sql, shared with the other iFood file). Impossible birth years and junk
-- marital statuses are set to NULL / unknown and flagged; a row without an id or with an
-- unreadable spend or purchase count is rejected.
{{ ifood_customers(source('marketing_analytics', 'marketing_data'), 'month_first', true) }}
