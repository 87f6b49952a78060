-- One row per raw row of marketing_data.csv (source document 002) and sales channel used (web, catalog,
-- store: the Num*Purchases columns). Spend per channel is not in the file (NULL).
{{ ifood_channel_purchases(source('marketing_analytics', 'marketing_data'), 'month_first', true) }}
