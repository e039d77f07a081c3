-- The county view of one year (by detection date): every county of admin_county, its cases,
-- pending ones, what the confirmed illegal ones (违法占用) occupy, in ellipsoidal m², and how
-- those on farmland stand against rectification within the year (core/rectification.ts).
-- $1 the year, $2 today (Beijing), $3 the least farmland that counts as occupying it (m²),
-- $4 the caller's scope as a county-code pattern ('4108%'; '41%' the province).
WITH e AS (
  SELECT e.id, e.county_code, e.status, e.permanent_farmland_m2, e.eco_redline_m2, e.rectified_on, e.rectify_deadline,
         (e.permanent_farmland_m2 + e.general_farmland_m2) AS farmland_m2,
         e.status = '违法占用' AND (e.permanent_farmland_m2 + e.general_farmland_m2) > $3::float8 AS on_farmland,
         e.rectified_on IS NOT NULL AND e.rectified_on <= make_date($1::int, 12, 31) AS in_time
    FROM encroachment e
   WHERE e.detected_on >= make_date($1::int, 1, 1)
     AND e.detected_on < make_date($1::int + 1, 1, 1)
     AND e.county_code LIKE $4::text
)
SELECT a.code AS county_code, a.name AS county_name, COALESCE(NULLIF(a.name_en, ''), a.name) AS county_name_en,
       count(e.id)::int AS cases,
       count(e.id) FILTER (WHERE e.status IN ('待核查', '需实地核查'))::int AS pending,
       count(e.id) FILTER (WHERE e.status = '需实地核查')::int AS field_check,
       count(e.id) FILTER (WHERE e.status = '违法占用')::int AS illegal,
       coalesce(sum(e.farmland_m2) FILTER (WHERE e.status = '违法占用'), 0) AS farmland_m2,
       coalesce(sum(e.permanent_farmland_m2) FILTER (WHERE e.status = '违法占用'), 0) AS permanent_m2,
       coalesce(sum(e.eco_redline_m2) FILTER (WHERE e.status = '违法占用'), 0) AS redline_m2,
       count(e.id) FILTER (WHERE e.on_farmland)::int AS on_farmland,
       count(e.id) FILTER (WHERE e.on_farmland AND NOT e.in_time)::int AS unrectified,
       coalesce(sum(e.farmland_m2) FILTER (WHERE e.on_farmland AND NOT e.in_time), 0) AS unrectified_m2,
       count(e.id) FILTER (WHERE e.on_farmland AND e.rectified_on > make_date($1::int, 12, 31))::int AS rectified_late,
       count(e.id) FILTER (WHERE e.on_farmland AND e.rectified_on IS NULL AND coalesce(e.rectify_deadline, make_date($1::int, 12, 31)) < $2::date)::int AS overdue,
       (min(e.rectify_deadline) FILTER (WHERE e.on_farmland AND e.rectified_on IS NULL))::text AS earliest_deadline
  FROM admin_county a
  LEFT JOIN e ON e.county_code = a.code
 WHERE a.code LIKE $4::text
 GROUP BY a.code, a.name, a.name_en
 ORDER BY a.code
