DROP TABLE "api_idempotency" CASCADE;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "response_status" integer;--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD COLUMN "response_body" text;--> statement-breakpoint
-- A stream's created_at now stands for the time of its first event (answers are built from it
-- before the events are written); history imported with its own clock had the import's time here.
UPDATE "streams" SET "created_at" = "first"."recorded_at"
  FROM (SELECT "stream_id", "recorded_at" FROM "events" WHERE "stream_position" = 1) AS "first"
 WHERE "first"."stream_id" = "streams"."stream_id" AND "streams"."created_at" <> "first"."recorded_at";
