-- The first row of each code that an existing case carries already (run again by the commit,
-- under its lock). {{stage}} the job's stage.
UPDATE {{stage}} s SET code_exists = EXISTS (SELECT 1 FROM encroachment e WHERE e.code = s.code)
 WHERE s.code IS NOT NULL AND s.code_given AND s.code_repeat_of IS NULL
