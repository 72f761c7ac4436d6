-- Snapshots written before this migration are trusted once: they get their checksum now.
UPDATE "snapshots" SET "state_checksum" = md5("state"::text);--> statement-breakpoint
CREATE OR REPLACE FUNCTION snapshots_set_checksum() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.state_checksum := md5(NEW.state::text);
  RETURN NEW;
END;
$$;--> statement-breakpoint
CREATE TRIGGER snapshots_checksum BEFORE INSERT ON "snapshots" FOR EACH ROW EXECUTE FUNCTION snapshots_set_checksum();
