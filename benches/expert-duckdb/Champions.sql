WITH totals AS (SELECT customer_id, MAX(CAST(ordered_at AS DATE)) AS last_purchase, COUNT(*) AS purchases, SUM(amount) AS spent FROM orders GROUP BY customer_id),
scores AS (SELECT customer_id, 1 + 5 * (RANK() OVER (ORDER BY last_purchase) - 1) // COUNT(*) OVER () AS r, 1 + 5 * (RANK() OVER (ORDER BY purchases) - 1) // COUNT(*) OVER () AS f, 1 + 5 * (RANK() OVER (ORDER BY spent) - 1) // COUNT(*) OVER () AS m FROM totals)
SELECT COUNT(*) FROM scores AS s JOIN customers AS c ON c.id = s.customer_id WHERE r >= 4 AND f >= 4 AND m >= 4
