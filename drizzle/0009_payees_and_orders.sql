CREATE TABLE "order_payments" (
	"order_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"owner_id" text NOT NULL,
	"transfer_id" text,
	"outcome" text NOT NULL,
	"reason" text,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "order_payments_order_id_due_at_pk" PRIMARY KEY("order_id","due_at")
);
--> statement-breakpoint
CREATE TABLE "payees" (
	"payee_id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"name" text NOT NULL,
	"account_number" text NOT NULL,
	"holder_name" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "standing_orders" (
	"order_id" text PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL,
	"from_account_id" text NOT NULL,
	"to_account_number" text NOT NULL,
	"payee_name" text NOT NULL,
	"payee_id" text,
	"amount" bigint NOT NULL,
	"currency" text NOT NULL,
	"reference" text,
	"schedule" jsonb NOT NULL,
	"time_zone" text NOT NULL,
	"status" text NOT NULL,
	"next_index" integer,
	"next_due_at" timestamp with time zone,
	"payments_started" integer NOT NULL,
	"payments_failed" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "time_zone" text;--> statement-breakpoint
CREATE UNIQUE INDEX "payees_owner_number_idx" ON "payees" USING btree ("owner_id","account_number");--> statement-breakpoint
CREATE INDEX "payees_owner_idx" ON "payees" USING btree ("owner_id","name","payee_id");--> statement-breakpoint
CREATE INDEX "standing_orders_due_idx" ON "standing_orders" USING btree ("status","next_due_at");--> statement-breakpoint
CREATE INDEX "standing_orders_owner_idx" ON "standing_orders" USING btree ("owner_id","created_at","order_id");