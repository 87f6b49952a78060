-- One row per raw row of marketing_data.csv (source document 002) and product category with a positive
-- amount (wine, fruits, meat, fish, sweets, gold: the Mnt* columns, last two years).
{{ ifood_category_spend(source('marketing_analytics', 'marketing_data'), 'month_first', true) }}
