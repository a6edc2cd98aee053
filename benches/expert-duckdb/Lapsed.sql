-- 180 days before 2025-12-31 is 2025-07-04; the latest order (by time) must be earlier
SELECT COUNT(*) FROM (SELECT customer_id FROM orders GROUP BY customer_id HAVING MAX(ordered_at) < '2025-07-04') AS o JOIN customers AS c ON c.id = o.customer_id
