ALTER TABLE "transfers_view" ADD COLUMN "external" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "transfers_view" ADD COLUMN "scheme_reference" text;--> statement-breakpoint
CREATE INDEX "transfers_view_outbound_idx" ON "transfers_view" USING btree ("transfer_id") WHERE external and status = 'sent';