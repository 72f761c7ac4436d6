CREATE TABLE "inbound_payments_view" (
	"payment_id" text PRIMARY KEY NOT NULL,
	"scheme_id" text NOT NULL,
	"scheme_payment_id" text NOT NULL,
	"account_number" text NOT NULL,
	"account_id" text,
	"customer_id" text,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"debtor_name" text NOT NULL,
	"debtor_account" text NOT NULL,
	"reference" text,
	"status" text NOT NULL,
	"hold_reason" text,
	"return_code" text,
	"return_reason" text,
	"received_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" bigint NOT NULL,
	"last_global_position" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "live_streams" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "inbound_payments_scheme_idx" ON "inbound_payments_view" USING btree ("scheme_id","scheme_payment_id");--> statement-breakpoint
CREATE INDEX "inbound_payments_status_idx" ON "inbound_payments_view" USING btree ("status","received_at");--> statement-breakpoint
CREATE INDEX "live_streams_user_idx" ON "live_streams" USING btree ("user_id","expires_at");