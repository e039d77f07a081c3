-- Saved site-check reports are immutable: once filed, neither changed nor deleted.
CREATE OR REPLACE FUNCTION refuse_site_check_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '选址套核报告不可修改或删除（site-check reports are immutable）'
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER site_check_immutable BEFORE UPDATE OR DELETE ON site_check
  FOR EACH ROW EXECUTE FUNCTION refuse_site_check_change();
