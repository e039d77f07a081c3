-- The highest sequence number in use after each code prefix (WP<year><county>-), 0 when none.
-- $1 prefixes.
SELECT p.prefix,
       coalesce(max(substring(e.code FROM length(p.prefix) + 1)::int), 0) AS seq
  FROM unnest($1::text[]) AS p(prefix)
  LEFT JOIN encroachment e
         ON e.code LIKE p.prefix || '%' AND substring(e.code FROM length(p.prefix) + 1) ~ '^[0-9]{1,9}$'
 GROUP BY p.prefix
