-- The history of decisions on encroachment cases (核查记录) is append-only: once written, a row
-- is neither changed nor deleted. TRUNCATE is refused too, except by the seeder's full reset
-- (seeds/load.ts sets yzt.reseed for its own transaction), which wipes the cases with it.
CREATE OR REPLACE FUNCTION refuse_case_decision_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' AND current_setting('yzt.reseed', true) = 'on' THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION '核查记录不可修改或删除（case decision history is append-only: % refused）', TG_OP
    USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER case_decision_immutable BEFORE UPDATE OR DELETE ON case_decision
  FOR EACH ROW EXECUTE FUNCTION refuse_case_decision_change();
--> statement-breakpoint
CREATE TRIGGER case_decision_no_truncate BEFORE TRUNCATE ON case_decision
  FOR EACH STATEMENT EXECUTE FUNCTION refuse_case_decision_change();
