SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING SUM(CAST(ROUND(amount * 100) AS INTEGER)) > 100000) AS o JOIN customers AS c ON c.id = o.customer_id
