-- One feature with every exposed attribute. $1 the id.
SELECT t.id, {{select_columns}}, ST_AsGeoJSON(t.geom, 7) AS geometry
  FROM {{table}} t
 WHERE t.id = $1
