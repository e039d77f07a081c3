-- Keeps a slice of the layer's served features as version $2 in layer_archive: every column but
-- id and geom as JSON. $1 layer id, $2 version, $3–$4 the slice of ids (inclusive).
WITH kept AS (
  INSERT INTO layer_archive (layer, version_no, props, geom)
  SELECT $1, $2, to_jsonb(t) - 'id' - 'geom', t.geom
    FROM {{table}} t
   WHERE t.id BETWEEN $3 AND $4
  RETURNING 1
)
SELECT count(*)::int AS n FROM kept
