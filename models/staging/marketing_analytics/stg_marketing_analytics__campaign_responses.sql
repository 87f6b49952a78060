-- One row per raw row of marketing_data.csv (source document 002) and campaign (AcceptedCmp1-5 and
-- Response, the last campaign): whether the customer accepted the offer.
{{ ifood_campaign_responses(source('marketing_analytics', 'marketing_data'), 'month_first', true) }}
