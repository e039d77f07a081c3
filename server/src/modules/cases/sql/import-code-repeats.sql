-- Repeated codes among the staged rows: a later row repeats the first with its code.
-- {{stage}} the job's stage.
UPDATE {{stage}} s SET code_repeat_of = f.first_row
  FROM (SELECT row_no, min(row_no) OVER (PARTITION BY code) AS first_row FROM {{stage}} WHERE code IS NOT NULL) f
 WHERE f.row_no = s.row_no AND f.first_row <> s.row_no
