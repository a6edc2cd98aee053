SELECT COUNT(*) FROM customers WHERE income > 100000
