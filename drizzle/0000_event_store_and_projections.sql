CREATE TABLE "account_summary" (
	"account_id" text PRIMARY KEY NOT NULL,
	"customer_id" text NOT NULL,
	"number" text NOT NULL,
	"currency" text NOT NULL,
	"nickname" text,
	"status" text NOT NULL,
	"balance" bigint NOT NULL,
	"reserved" bigint NOT NULL,
	"available" bigint NOT NULL,
	"deposits" integer NOT NULL,
	"withdrawals" integer NOT NULL,
	"rejections" integer NOT NULL,
	"freeze_category" text,
	"freeze_reason" text,
	"version" bigint NOT NULL,
	"last_global_position" bigint NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"global_position" bigint PRIMARY KEY NOT NULL,
	"event_id" uuid NOT NULL,
	"stream_id" text NOT NULL,
	"stream_position" bigint NOT NULL,
	"event_type" text NOT NULL,
	"outcome" text NOT NULL,
	"actor_id" text NOT NULL,
	"actor_role" text NOT NULL,
	"command_id" text,
	"correlation_id" text,
	"account_id" text,
	"customer_id" text,
	"summary" text NOT NULL,
	"reason" text,
	"changes" jsonb NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"global_position" bigint GENERATED ALWAYS AS IDENTITY (sequence name "events_global_position_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"transaction_id" "xid8" DEFAULT pg_current_xact_id() NOT NULL,
	"stream_id" text NOT NULL,
	"stream_type" text NOT NULL,
	"stream_position" bigint NOT NULL,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"schema_version" integer NOT NULL,
	"data" jsonb NOT NULL,
	"metadata" jsonb NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "events_stream_id_stream_position_pk" PRIMARY KEY("stream_id","stream_position"),
	CONSTRAINT "events_event_id_unique" UNIQUE("event_id")
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"scope" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"result" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_scope_key_pk" PRIMARY KEY("scope","key")
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"stream_id" text NOT NULL,
	"stream_position" bigint NOT NULL,
	"state_schema_version" integer NOT NULL,
	"state" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "snapshots_stream_id_stream_position_pk" PRIMARY KEY("stream_id","stream_position")
);
--> statement-breakpoint
CREATE TABLE "statement_entries" (
	"account_id" text NOT NULL,
	"stream_position" bigint NOT NULL,
	"global_position" bigint NOT NULL,
	"event_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"outcome" text NOT NULL,
	"amount" bigint NOT NULL,
	"balance_change" bigint NOT NULL,
	"balance_after" bigint NOT NULL,
	"currency" text NOT NULL,
	"reference" text,
	"counterparty" text,
	"transfer_id" text,
	"rejection_code" text,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "statement_entries_account_id_stream_position_pk" PRIMARY KEY("account_id","stream_position")
);
--> statement-breakpoint
CREATE TABLE "streams" (
	"stream_id" text PRIMARY KEY NOT NULL,
	"stream_type" text NOT NULL,
	"version" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "account_summary_number_idx" ON "account_summary" USING btree ("number");--> statement-breakpoint
CREATE INDEX "account_summary_customer_idx" ON "account_summary" USING btree ("customer_id");--> statement-breakpoint
CREATE INDEX "audit_log_recorded_idx" ON "audit_log" USING btree ("recorded_at");--> statement-breakpoint
CREATE INDEX "audit_log_actor_idx" ON "audit_log" USING btree ("actor_id","global_position");--> statement-breakpoint
CREATE INDEX "audit_log_account_idx" ON "audit_log" USING btree ("account_id","global_position");--> statement-breakpoint
CREATE INDEX "events_transaction_order_idx" ON "events" USING btree ("transaction_id","global_position");--> statement-breakpoint
CREATE UNIQUE INDEX "events_global_position_idx" ON "events" USING btree ("global_position");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "statement_entries_account_time_idx" ON "statement_entries" USING btree ("account_id","recorded_at");