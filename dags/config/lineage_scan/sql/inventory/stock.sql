/* Stock levels per warehouse and product (PostgreSQL). */
CREATE OR REPLACE VIEW inventory.stock_levels AS
SELECT w.warehouse_id, p.product_id, SUM(m.quantity) AS on_hand
FROM inventory.movements m
JOIN inventory.warehouses w ON w.warehouse_id = m.warehouse_id
JOIN catalog.products p ON p.product_id = m.product_id
GROUP BY w.warehouse_id, p.product_id;
