-- How many (staged row, existing case) pairs have touching boxes — index only, so
-- import-dup-case-overlay.sql must return exactly this many rows. $1 row numbers.
SELECT count(*)::int AS n
  FROM case_import_row r
 CROSS JOIN LATERAL (SELECT 1 FROM encroachment e WHERE e.geom && r.geom OFFSET 0) x
 WHERE r.row_no = ANY($1::int[])
