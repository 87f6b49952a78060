-- One row per raw row of marketing_campaign.csv (source document 004) and campaign (AcceptedCmp1-5 and
-- Response, the last campaign): whether the customer accepted the offer.
{{ ifood_campaign_responses(source('customer_personality', 'marketing_campaign'), 'day_first', false) }}
