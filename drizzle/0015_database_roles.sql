-- Owner and app roles (decision 0023). The role that applies the migrations owns the store; the
-- app's role gets only what the app needs, from ledgerline_grant_app_role below, which
-- lib/db/roles.ts calls after the migrations when an app role is configured. One role, or PGlite,
-- never calls it, and everything works as before.

-- Snapshots the app has superseded used to be deleted by the command itself. The app's role may now
-- insert snapshots but not delete (nor update) them, so this trigger, running as the owner, removes
-- the older snapshots of a stream when a newer one is inserted: the same effect, in the same statement.
CREATE OR REPLACE FUNCTION ledgerline_snapshots_prune() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
  DELETE FROM public.snapshots WHERE stream_id = NEW.stream_id AND stream_position < NEW.stream_position;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER snapshots_prune AFTER INSERT ON snapshots FOR EACH ROW EXECUTE FUNCTION ledgerline_snapshots_prune();
--> statement-breakpoint
-- Creates the app's role if it is missing (LOGIN, with the password given, if any: an existing role
-- keeps its own) and gives it exactly what the app needs, in every table of the schema:
--   events, snapshots: SELECT and INSERT only (no UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES;
--     not being the owner, no ALTER, DROP or DISABLE TRIGGER either);
--   the projections a rebuild swaps (`rebuilt`): owned by the app's role, since dropping and
--     renaming a table needs its owner; the owner is made a member so later migrations can alter them;
--   every other table: SELECT, INSERT, UPDATE, DELETE;
--   sequences: USAGE and SELECT (nextval for the events' positions), never setval;
--   the schema: USAGE, and CREATE for the rebuild's new tables; drizzle's migration table: SELECT
--     (readiness reads it).
-- Default privileges give tables and sequences the owner creates later the same DML grants; a
-- future append-only table must revoke them in its own migration and be named here.
-- Idempotent, and safe while other databases of the cluster create the same role.
CREATE OR REPLACE FUNCTION ledgerline_grant_app_role(app name, app_password text, rebuilt text[]) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
  app_id oid;
  me_super boolean := (SELECT rolsuper FROM pg_roles WHERE rolname = current_user);
  t record;
BEGIN
  IF app = current_user THEN
    RAISE EXCEPTION 'the app role % is the owner role: give the app a role of its own', app;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
    BEGIN
      IF app_password IS NULL THEN
        EXECUTE format('CREATE ROLE %I LOGIN', app);
      ELSE
        EXECUTE format('CREATE ROLE %I LOGIN PASSWORD %L', app, app_password);
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
      NULL; -- another database of the cluster created it meanwhile
    END;
  END IF;
  SELECT oid INTO app_id FROM pg_roles WHERE rolname = app;
  IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE oid = app_id) THEN
    RAISE EXCEPTION 'the app role % is a superuser: it would bypass every grant', app;
  END IF;
  IF (SELECT relowner FROM pg_class WHERE oid = to_regclass('public.events')) = app_id
     OR pg_has_role(app_id, (SELECT relowner FROM pg_class WHERE oid = to_regclass('public.events')), 'USAGE') THEN
    RAISE EXCEPTION 'the app role % owns the event store (or is a member of its owner): migrate as another role', app;
  END IF;
  IF NOT me_super AND NOT pg_has_role(current_user, app_id, 'USAGE') THEN
    EXECUTE format('GRANT %I TO %I', app, current_user);
  END IF;
  EXECUTE format('GRANT USAGE, CREATE ON SCHEMA public TO %I', app);
  EXECUTE format('GRANT USAGE ON SCHEMA drizzle TO %I', app);
  EXECUTE format('GRANT SELECT ON drizzle.__drizzle_migrations TO %I', app);
  FOR t IN
    SELECT c.oid::regclass AS rel, c.relname::text AS name, c.relowner AS owner
      FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
  LOOP
    IF t.name = ANY (rebuilt) THEN
      IF t.owner <> app_id THEN
        EXECUTE format('ALTER TABLE %s OWNER TO %I', t.rel, app);
      END IF;
    ELSIF t.owner = app_id THEN
      NULL; -- a table of its own (a rebuild's leftover): revoking would take the owner's rights
    ELSIF t.name IN ('events', 'snapshots') THEN
      EXECUTE format('REVOKE ALL ON %s FROM %I', t.rel, app);
      EXECUTE format('GRANT SELECT, INSERT ON %s TO %I', t.rel, app);
    ELSE
      EXECUTE format('REVOKE ALL ON %s FROM %I', t.rel, app);
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO %I', t.rel, app);
    END IF;
  END LOOP;
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I', app);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I', app);
  EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I', app);
END;
$$;
--> statement-breakpoint
-- Only the owner runs it (as itself: it is not SECURITY DEFINER, so calling it grants nothing more).
REVOKE ALL ON FUNCTION ledgerline_grant_app_role(name, text, text[]) FROM PUBLIC;
