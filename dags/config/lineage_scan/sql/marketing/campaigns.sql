MERGE INTO marketing.campaign_results t
USING marketing.clicks c ON t.campaign_id = c.campaign_id
WHEN MATCHED THEN UPDATE SET t.clicks = t.clicks + c.clicks;
