-- the two years up to 2025-12-31: 2024-01-01 .. 2025-12-31
SELECT COUNT(*) FROM (SELECT DISTINCT customer_id FROM orders WHERE month(ordered_at) = 12 AND day(ordered_at) <= 26 AND ordered_at >= '2024-01-01' AND ordered_at < '2026-01-01') AS o JOIN customers AS c ON c.id = o.customer_id
