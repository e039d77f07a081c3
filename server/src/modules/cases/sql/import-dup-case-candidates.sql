-- How many (staged row, existing case) pairs have touching boxes — index only, so
-- import-dup-case-overlay.sql must return exactly this many rows. {{stage}} the job's stage;
-- $1, $2 the range of row numbers.
SELECT count(*)::int AS n
  FROM {{stage}} r
 CROSS JOIN LATERAL (SELECT 1 FROM encroachment e WHERE e.geom && r.geom OFFSET 0) x
 WHERE r.staged AND r.row_no BETWEEN $1 AND $2
