-- Campaign results upserted from the day's clicks (Snowflake).
MERGE INTO marketing.campaign_results t
USING (
    SELECT campaign_id, COUNT(*) AS clicks, COUNT(DISTINCT customer_id) AS reach
    FROM marketing.clicks
    WHERE clicked_at >= DATEADD(day, -1, CURRENT_DATE())
    GROUP BY campaign_id
) c ON t.campaign_id = c.campaign_id
WHEN MATCHED THEN UPDATE SET t.clicks = t.clicks + c.clicks, t.reach = GREATEST(t.reach, c.reach)
WHEN NOT MATCHED THEN INSERT (campaign_id, clicks, reach) VALUES (c.campaign_id, c.clicks, c.reach);
