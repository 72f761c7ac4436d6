-- The index below needs btree_gin (0021 creates it too; repeated so this file stands alone).
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "locale" text;--> statement-breakpoint
CREATE INDEX "statement_entries_account_text_idx" ON "statement_entries" USING gin ("account_id",to_tsvector('simple', coalesce("reference", '') || ' ' || coalesce("counterparty", '')));