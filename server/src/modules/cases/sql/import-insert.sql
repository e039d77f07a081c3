-- Creates the cases of an import from the staged polygons, status 待核查.
-- $1 row numbers, $2 codes, $3 county codes, $4 sources, $5 detection dates, $6 areas (m²,
-- ellipsoidal), $7 the import id. One row back per case created.
INSERT INTO encroachment (code, county_code, source, detected_on, status, area_m2, geom, import_id)
SELECT x.code, x.county_code, x.source, x.detected_on::date, '待核查', x.area_m2, r.geom, $7
  FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[])
       AS x(row_no, code, county_code, source, detected_on, area_m2)
  JOIN case_import_row r ON r.row_no = x.row_no
 ORDER BY x.row_no
RETURNING id, code
