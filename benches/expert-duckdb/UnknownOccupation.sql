SELECT COUNT(*) FROM customers WHERE occupation IS NULL
