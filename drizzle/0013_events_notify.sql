-- Wakes live-update streams on every instance: one notification per transaction that appends
-- events (Postgres folds identical notifications of one transaction into one, and sends it at
-- commit). The payload is empty on purpose: listeners read what changed from the gap-free global
-- order, so a lost or merged notification loses nothing.
CREATE OR REPLACE FUNCTION ledgerline_events_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('ledgerline_events', '');
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER events_notify
  AFTER INSERT ON events
  FOR EACH STATEMENT EXECUTE FUNCTION ledgerline_events_notify();
