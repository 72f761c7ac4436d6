-- btree_gin lets one GIN index hold the account id beside the search document, so a statement
-- search reads only that account's matches (statement_entries_account_text_idx, next migration).
-- A trusted extension: the database's owner may create it. PGlite loads it in lib/db/client.ts.
CREATE EXTENSION IF NOT EXISTS btree_gin;
