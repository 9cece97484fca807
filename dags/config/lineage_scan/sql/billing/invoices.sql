-- Daily invoice facts from orders and customers.
INSERT INTO billing.invoices
SELECT o.order_id, c.customer_id, o.amount
FROM sales.orders o
JOIN crm.customers c ON c.customer_id = o.customer_id;
