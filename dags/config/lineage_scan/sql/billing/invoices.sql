-- Daily invoice facts from orders and customers (PostgreSQL).
INSERT INTO billing.invoices
SELECT o.order_id AS invoice_id, c.customer_id, o.amount, o.ordered_at::date AS invoice_date
FROM sales.orders o
JOIN crm.customers c ON c.customer_id = o.customer_id
WHERE o.status <> 'CANCELLED';
