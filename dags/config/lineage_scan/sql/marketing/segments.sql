INSERT OVERWRITE TABLE marketing.segments
SELECT c.customer_id, CASE WHEN SUM(i.amount) > 1000 THEN 'gold' ELSE 'standard' END
FROM crm.customers c
LEFT JOIN billing.invoices i ON i.customer_id = c.customer_id
GROUP BY c.customer_id;
