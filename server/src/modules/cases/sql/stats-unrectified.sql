-- The confirmed illegal cases of a year on farmland not rectified by 31 December, at most five
-- per county: earliest deadline first (none last), then by code. $1 the year, $2 the least
-- farmland that counts as occupying it (m²), $3 the caller's scope as a
-- county-code pattern ('4108%').
SELECT county_code, id, code, detected_on, deadline, done_on, farmland_m2
  FROM (
    SELECT e.county_code, e.id, e.code, e.detected_on::text AS detected_on, e.rectify_deadline::text AS deadline,
           e.rectified_on::text AS done_on, e.permanent_farmland_m2 + e.general_farmland_m2 AS farmland_m2,
           row_number() OVER (PARTITION BY e.county_code ORDER BY e.rectify_deadline NULLS LAST, e.code) AS n
      FROM encroachment e
     WHERE e.status = '违法占用'
       AND e.permanent_farmland_m2 + e.general_farmland_m2 > $2::float8
       AND e.detected_on >= make_date($1::int, 1, 1) AND e.detected_on < make_date($1::int + 1, 1, 1)
       AND e.county_code LIKE $3::text
       AND NOT (e.rectified_on IS NOT NULL AND e.rectified_on <= make_date($1::int, 12, 31))
  ) s
 WHERE n <= 5
 ORDER BY county_code, n
