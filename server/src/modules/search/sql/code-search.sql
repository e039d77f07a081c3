-- Features of one layer whose code is the query ($1, exact) or starts with it ($2, a LIKE
-- prefix pattern, wildcards escaped), exact matches first; with the county's name, a point
-- inside and the extent. {{table}}, {{code}}, {{name_column}}, {{county_join}},
-- {{county_columns}} from the registry; $3 the cap + 1.
SELECT t.id, t.{{code}}::text AS code, {{name_column}} AS name, {{county_columns}},
       ST_X(ST_PointOnSurface(t.geom)) AS lx, ST_Y(ST_PointOnSurface(t.geom)) AS ly,
       ST_XMin(t.geom) AS xmin, ST_YMin(t.geom) AS ymin, ST_XMax(t.geom) AS xmax, ST_YMax(t.geom) AS ymax
  FROM {{table}} t {{county_join}}
 WHERE upper(t.{{code}}) = $1 OR upper(t.{{code}}) LIKE $2
 ORDER BY upper(t.{{code}}) = $1 DESC, t.{{code}}
 LIMIT $3
