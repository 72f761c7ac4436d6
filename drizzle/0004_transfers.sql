CREATE TABLE "sanctions_entries" (
	"entry_id" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"reason" text NOT NULL,
	"added_by" text NOT NULL,
	"added_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "transfer_work" (
	"transfer_id" text PRIMARY KEY NOT NULL,
	"due_at" timestamp with time zone DEFAULT now() NOT NULL,
	"claimed_by" text,
	"claimed_until" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
CREATE TABLE "transfers_view" (
	"transfer_id" text PRIMARY KEY NOT NULL,
	"from_account_id" text NOT NULL,
	"from_customer_id" text NOT NULL,
	"from_number" text NOT NULL,
	"from_name" text NOT NULL,
	"to_account_id" text NOT NULL,
	"to_customer_id" text NOT NULL,
	"to_number" text NOT NULL,
	"to_name" text NOT NULL,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reference" text,
	"status" text NOT NULL,
	"steps" jsonb NOT NULL,
	"hold_reason" text,
	"failure_code" text,
	"failure_reason" text,
	"failure_step" text,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" bigint NOT NULL,
	"last_global_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX "transfer_work_due_idx" ON "transfer_work" USING btree ("due_at");--> statement-breakpoint
CREATE INDEX "transfers_view_from_idx" ON "transfers_view" USING btree ("from_account_id","requested_at");--> statement-breakpoint
CREATE INDEX "transfers_view_to_idx" ON "transfers_view" USING btree ("to_account_id","requested_at");--> statement-breakpoint
CREATE INDEX "transfers_view_status_idx" ON "transfers_view" USING btree ("status","requested_at");