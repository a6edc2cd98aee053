SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING COUNT(DISTINCT occasion) >= 2) AS o JOIN customers AS c ON c.id = o.customer_id
