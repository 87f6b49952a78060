-- One row per raw row of marketing_campaign.csv (source document 004) and sales channel used (web, catalog,
-- store: the Num*Purchases columns). Spend per channel is not in the file (NULL).
{{ ifood_channel_purchases(source('customer_personality', 'marketing_campaign'), 'day_first', false) }}
