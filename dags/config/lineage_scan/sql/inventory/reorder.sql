INSERT INTO inventory.reorder_list
SELECT product_id FROM inventory.stock_levels WHERE on_hand < 10;
