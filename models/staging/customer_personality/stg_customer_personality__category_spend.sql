-- One row per raw row of marketing_campaign.csv (source document 004) and product category with a positive
-- amount (wine, fruits, meat, fish, sweets, gold: the Mnt* columns, last two years).
{{ ifood_category_spend(source('customer_personality', 'marketing_campaign'), 'day_first', false) }}
