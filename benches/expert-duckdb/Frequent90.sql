-- the 90 days up to 2025-12-31: 2025-10-03 .. 2025-12-31
SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE ordered_at >= '2025-10-03' AND ordered_at < '2026-01-01' GROUP BY customer_id HAVING COUNT(*) >= 3) AS o JOIN customers AS c ON c.id = o.customer_id
