-- The county (code, name and English name) holding a point inside each valid staged polygon;
-- `outside` when none does. Every valid row is answered (the caller counts those left NULL: a
-- GEOS failure in the embedded database drops rows silently). {{stage}} the job's stage.
UPDATE {{stage}} s
   SET county_code = c.code, county_name = c.name, county_name_en = NULLIF(c.name_en, ''), outside = c.code IS NULL
  FROM (SELECT r.row_no, a.code, a.name, a.name_en
          FROM (SELECT row_no, ST_PointOnSurface(geom) AS point FROM {{stage}} WHERE valid) r
          LEFT JOIN LATERAL (SELECT a.code, a.name, a.name_en FROM admin_county a
                              WHERE a.geom && r.point AND ST_Intersects(a.geom, r.point)
                              ORDER BY a.code LIMIT 1) a ON true) c
 WHERE c.row_no = s.row_no
