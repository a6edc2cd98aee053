SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE amount IS NOT NULL GROUP BY customer_id HAVING AVG(amount) < 50) AS o JOIN customers AS c ON c.id = o.customer_id
