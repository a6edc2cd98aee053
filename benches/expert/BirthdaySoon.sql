-- 2025-12-31 .. 2026-01-13
SELECT COUNT(*) FROM customers WHERE substr(birthday, 6, 5) = '12-31' OR substr(birthday, 6, 5) BETWEEN '01-01' AND '01-13'
