-- Products to reorder: low stock, still sold, not already on order (PostgreSQL).
INSERT INTO inventory.reorder_list
SELECT s.product_id, s.warehouse_id, s.on_hand
FROM inventory.stock_levels s
WHERE s.on_hand < 10
  AND s.product_id IN (SELECT product_id FROM catalog.products WHERE discontinued = false)
  AND NOT EXISTS (
      SELECT 1 FROM purchasing.open_orders po
      WHERE po.product_id = s.product_id AND po.warehouse_id = s.warehouse_id
  );
