-- One row per raw row of marketing_campaign.csv (source document 004): the purchase totals the file states
-- (purchases = web + catalog + store, spend = the six categories, deal purchases, recency).
{{ ifood_customer_activity(source('customer_personality', 'marketing_campaign'), 'day_first', false) }}
