// Customer segments by lifetime spend (Snowflake): unquoted names are stored upper-case,
// "Segment Label" keeps its case.
INSERT OVERWRITE INTO marketing.segments
WITH spend AS (
    SELECT c.customer_id, SUM(i.amount) AS lifetime_spend
    FROM crm.customers c
    LEFT JOIN billing.invoices i ON i.customer_id = c.customer_id
    GROUP BY c.customer_id
)
SELECT customer_id,
       CASE WHEN lifetime_spend > 1000 THEN 'gold' ELSE 'standard' END AS "Segment Label"
FROM spend;
