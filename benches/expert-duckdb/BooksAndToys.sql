SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE category IN ('books', 'toys') GROUP BY customer_id HAVING COUNT(DISTINCT category) = 2) AS o JOIN customers AS c ON c.id = o.customer_id
