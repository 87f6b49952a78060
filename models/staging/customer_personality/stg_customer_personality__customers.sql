-- One row per raw row of marketing_campaign.csv (source document 004): the customer, typed and normalised
-- (macros/ifood.sql, shared with the other iFood file). Impossible birth years and junk
-- marital statuses are set to NULL / unknown and flagged; a row without an id or with an
-- unreadable spend or purchase count is rejected.
{{ ifood_customers(source('customer_personality', 'marketing_campaign'), 'day_first', false) }}
