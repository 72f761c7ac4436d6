CREATE TABLE "approvals_view" (
	"approval_id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"subject_id" text NOT NULL,
	"account_id" text NOT NULL,
	"customer_id" text,
	"round" integer NOT NULL,
	"status" text NOT NULL,
	"amount" bigint,
	"currency" text,
	"description" text NOT NULL,
	"requested_by" text NOT NULL,
	"request_reason" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by" text,
	"decision_reason" text,
	"decided_at" timestamp with time zone,
	"refusals" integer NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" bigint NOT NULL,
	"last_global_position" bigint NOT NULL
);
--> statement-breakpoint
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
CREATE INDEX "approvals_status_idx" ON "approvals_view" USING btree ("status","requested_at");--> statement-breakpoint
CREATE INDEX "approvals_subject_idx" ON "approvals_view" USING btree ("subject_id");--> statement-breakpoint
CREATE INDEX "refusal_summaries_event_idx" ON "refusal_summaries" USING btree ("event_position");