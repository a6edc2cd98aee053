-- 2025-12-31 .. 2026-01-13
SELECT COUNT(*) FROM customers WHERE (month(birthday) = 12 AND day(birthday) = 31) OR (month(birthday) = 1 AND day(birthday) <= 13)
