SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM orders) AS o JOIN customers AS c ON c.id = o.customer_id
