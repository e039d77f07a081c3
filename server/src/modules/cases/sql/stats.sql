-- The county view of one year (by detection date): every county of admin_county, its cases,
-- pending ones, and what the confirmed illegal ones (违法占用) occupy, in ellipsoidal m².
-- $1 the year.
SELECT a.code AS county_code, a.name AS county_name, COALESCE(NULLIF(a.name_en, ''), a.name) AS county_name_en,
       count(e.id)::int AS cases,
       count(e.id) FILTER (WHERE e.status IN ('待核查', '需实地核查'))::int AS pending,
       count(e.id) FILTER (WHERE e.status = '需实地核查')::int AS field_check,
       count(e.id) FILTER (WHERE e.status = '违法占用')::int AS illegal,
       coalesce(sum(e.permanent_farmland_m2 + e.general_farmland_m2) FILTER (WHERE e.status = '违法占用'), 0) AS farmland_m2,
       coalesce(sum(e.permanent_farmland_m2) FILTER (WHERE e.status = '违法占用'), 0) AS permanent_m2,
       coalesce(sum(e.eco_redline_m2) FILTER (WHERE e.status = '违法占用'), 0) AS redline_m2
  FROM admin_county a
  LEFT JOIN encroachment e
         ON e.county_code = a.code
        AND e.detected_on >= make_date($1::int, 1, 1)
        AND e.detected_on < make_date($1::int + 1, 1, 1)
 GROUP BY a.code, a.name, a.name_en
 ORDER BY a.code
