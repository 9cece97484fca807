-- Settled payments per invoice (PostgreSQL): a CTE feeding CREATE TABLE AS.
CREATE TABLE IF NOT EXISTS billing.payments_daily AS
WITH settled AS (
    SELECT invoice_id, amount, settled_at
    FROM payments.transactions
    WHERE status = 'SETTLED'
)
SELECT s.invoice_id, SUM(s.amount) AS paid, MAX(s.settled_at) AS last_settled_at
FROM settled s
JOIN billing.invoices i ON i.invoice_id = s.invoice_id
GROUP BY s.invoice_id;
