-- One row per raw row of marketing_data.csv (source document 002): the purchase totals the file states
-- (purchases = web + catalog + store, spend = the six categories, deal purchases, recency).
{{ ifood_customer_activity(source('marketing_analytics', 'marketing_data'), 'month_first', true) }}
