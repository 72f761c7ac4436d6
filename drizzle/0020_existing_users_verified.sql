-- Users who registered before email verification existed keep moving money: their address counts as verified.
UPDATE "users" SET "email_verified_at" = "created_at" WHERE "email_verified_at" IS NULL;
