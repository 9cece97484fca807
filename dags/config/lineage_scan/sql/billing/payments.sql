CREATE TABLE IF NOT EXISTS billing.payments_daily AS
WITH settled AS (
    SELECT * FROM payments.transactions WHERE status = 'SETTLED'
)
SELECT s.invoice_id, SUM(s.amount) AS paid
FROM settled s
JOIN billing.invoices i ON i.invoice_id = s.invoice_id
GROUP BY s.invoice_id;
