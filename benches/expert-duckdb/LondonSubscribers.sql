SELECT COUNT(*) FROM customers WHERE city = 'London' AND newsletter
