-- Counties for the county list: extent and a label point inside each.
SELECT code, name, name_en, level, area_m2,
       ST_XMin(geom) AS xmin, ST_YMin(geom) AS ymin, ST_XMax(geom) AS xmax, ST_YMax(geom) AS ymax,
       ST_X(ST_PointOnSurface(geom)) AS lx, ST_Y(ST_PointOnSurface(geom)) AS ly
  FROM admin_county
 ORDER BY code
