-- Changes every app instance must follow at once are announced on the channel `yzt_change`
-- (LISTEN/NOTIFY, delivered when the transaction commits; identical payloads of one
-- transaction arrive once): a data version moved (tile caches, the stock catalogue), a session
-- ended or an account changed (cached sessions), base-map settings or services changed, an
-- orthophoto period was added, edited or removed. Statement triggers, so a COPY of a million
-- rows is one notification; instances also poll as before, so a lost notification costs at most
-- their polling interval.
CREATE OR REPLACE FUNCTION notify_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('yzt_change', TG_ARGV[0]);
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER data_version_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON data_version
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('data-version');
--> statement-breakpoint
CREATE TRIGGER app_session_change AFTER DELETE OR TRUNCATE ON app_session
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('sessions');
--> statement-breakpoint
CREATE TRIGGER app_user_change AFTER UPDATE OR DELETE OR TRUNCATE ON app_user
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('sessions');
--> statement-breakpoint
CREATE TRIGGER basemap_setting_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON basemap_setting
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('basemaps');
--> statement-breakpoint
CREATE TRIGGER basemap_service_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON basemap_service
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('basemaps');
--> statement-breakpoint
CREATE TRIGGER imagery_layer_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON imagery_layer
  FOR EACH STATEMENT EXECUTE FUNCTION notify_change('imagery');
