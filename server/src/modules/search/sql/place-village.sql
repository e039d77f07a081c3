-- Villages (村) named like the query ($1 a LIKE pattern, $2 the query as typed, $3 the cap + 1), with their township and county.
SELECT t.id, t.code, t.name, NULL::text AS name_en, w.name AS township_name, c.name AS county_name, c.name_en AS county_name_en,
       ST_X(ST_PointOnSurface(t.geom)) AS lx, ST_Y(ST_PointOnSurface(t.geom)) AS ly,
       ST_XMin(t.geom) AS xmin, ST_YMin(t.geom) AS ymin, ST_XMax(t.geom) AS xmax, ST_YMax(t.geom) AS ymax
  FROM admin_village t
  LEFT JOIN admin_township w ON w.code = t.township_code
  LEFT JOIN admin_county c ON c.code = t.county_code
 WHERE t.name LIKE $1 OR t.code = $2
 ORDER BY t.name = $2 OR t.code = $2 DESC, length(t.name), t.code
 LIMIT $3
