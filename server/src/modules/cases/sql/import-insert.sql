-- Creates the cases of an import from the staged rows chosen (their codes written to the stage
-- first), status 待核查, in file order. {{stage}} the job's stage; $1 row numbers, $2 the import
-- id. One row back per case created.
INSERT INTO encroachment (code, county_code, source, detected_on, status, area_m2, geom, import_id)
SELECT s.code, s.county_code, s.source, s.detected_on::date, '待核查', s.area_m2, s.geom, $2
  FROM {{stage}} s
 WHERE s.row_no = ANY($1::int[])
 ORDER BY s.row_no
RETURNING id, code
