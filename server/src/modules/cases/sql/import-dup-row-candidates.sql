-- How many (staged row, earlier staged row of the same file) pairs have touching boxes.
-- {{stage}} the job's stage; $1, $2 the range of row numbers.
SELECT count(*)::int AS n
  FROM {{stage}} r
 CROSS JOIN LATERAL (SELECT 1 FROM {{stage}} o WHERE o.geom && r.geom AND o.staged AND o.row_no < r.row_no OFFSET 0) x
 WHERE r.staged AND r.row_no BETWEEN $1 AND $2
