-- Monthly revenue for finance; the report table's quoted names keep their case (PostgreSQL).
INSERT INTO "Finance"."Revenue by Month"
SELECT m.month AS "Month", m.revenue AS "Revenue", m.invoices AS "Invoice Count"
FROM (
    SELECT date_trunc('month', i.invoice_date) AS month, SUM(p.paid) AS revenue,
           COUNT(i.invoice_id) AS invoices
    FROM billing.invoices i
    LEFT JOIN billing.payments_daily p ON p.invoice_id = i.invoice_id
    GROUP BY 1
) AS m;

-- Keep only the last 36 months.
DELETE FROM "Finance"."Revenue by Month" WHERE "Month" < now() - interval '36 months';
