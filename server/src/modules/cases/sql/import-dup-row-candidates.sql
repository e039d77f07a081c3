-- How many (staged row, earlier staged row of the same file) pairs have touching boxes.
-- $1 row numbers.
SELECT count(*)::int AS n
  FROM case_import_row r
 CROSS JOIN LATERAL (SELECT 1 FROM case_import_row o WHERE o.geom && r.geom AND o.row_no < r.row_no OFFSET 0) x
 WHERE r.row_no = ANY($1::int[])
