SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING MIN(ordered_at) < '2021-01-01') AS o JOIN customers AS c ON c.id = o.customer_id
