-- the year up to 2025-12-31: 2025-01-01 .. 2025-12-31
SELECT COUNT(*) FROM (SELECT customer_id FROM orders WHERE occasion IN ('christmas', 'easter') AND ordered_at >= '2025-01-01' AND ordered_at < '2026-01-01' GROUP BY customer_id HAVING SUM(amount) > 200) AS o JOIN customers AS c ON c.id = o.customer_id
