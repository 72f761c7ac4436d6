CREATE TABLE "refusal_summaries" (
	"key" text NOT NULL,
	"window_started_at" timestamp with time zone NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"attempts" integer NOT NULL,
	"event_position" bigint,
	CONSTRAINT "refusal_summaries_key_window_started_at_pk" PRIMARY KEY("key","window_started_at")
);
--> statement-breakpoint
CREATE INDEX "refusal_summaries_event_idx" ON "refusal_summaries" USING btree ("event_position");