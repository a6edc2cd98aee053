SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING SUM(amount) > 1000) AS o JOIN customers AS c ON c.id = o.customer_id
