-- Counties named like the query ($1 a LIKE pattern, $2 the query as typed, $3 the cap + 1):
-- by name, English name or division code; the exact name first, then the shorter.
SELECT t.id, t.code, t.name, t.name_en, NULL::text AS township_name, NULL::text AS county_name, NULL::text AS county_name_en,
       ST_X(ST_PointOnSurface(t.geom)) AS lx, ST_Y(ST_PointOnSurface(t.geom)) AS ly,
       ST_XMin(t.geom) AS xmin, ST_YMin(t.geom) AS ymin, ST_XMax(t.geom) AS xmax, ST_YMax(t.geom) AS ymax
  FROM admin_county t
 WHERE t.name LIKE $1 OR lower(t.name_en) LIKE lower($1) OR t.code = $2
 ORDER BY t.name = $2 OR lower(t.name_en) = lower($2) OR t.code = $2 DESC, length(t.name), t.code
 LIMIT $3
