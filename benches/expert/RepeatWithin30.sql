-- a second order on the same day as one or up to 30 days later: each order and the next
-- one in time order (any closer pair is a consecutive one), by LEAD
SELECT COUNT(*) FROM customers AS c WHERE c.id IN (SELECT customer_id FROM (SELECT customer_id, julianday(date(ordered_at)) AS day, LEAD(julianday(date(ordered_at))) OVER (PARTITION BY customer_id ORDER BY ordered_at, id) AS next_day FROM orders) WHERE next_day - day <= 30)
