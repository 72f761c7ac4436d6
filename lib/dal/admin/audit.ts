import "server-only";

import { database } from "../../db";
import { readAuditForExport, readAuditPage, toAuditRowDto, type AuditFilter, type AuditRowDto } from "../../read-models/audit";
import { AUDIT_EXPORT_LIMIT, AUDIT_PAGE_SIZE } from "../../read-models/audit-filter";
import { currentAdmin, requireAdminUser } from "./access";

// The back office's door to the audit read model: admins only.
export { AUDIT_EXPORT_LIMIT, AUDIT_PAGE_SIZE, auditQuery, isFiltered, parseAuditFilter } from "../../read-models/audit-filter";
export type { AuditFilter, AuditRowDto } from "../../read-models/audit";

/** One page of the audit trail, newest first, by keyset on the global position. */
export async function getAuditPage(
  filter: AuditFilter,
  cursor?: bigint,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<{ rows: AuditRowDto[]; nextCursor: string | null }> {
  await requireAdminUser();
  const { db } = await database();
  const page = await readAuditPage(db, filter, cursor, pageSize);
  return { rows: page.rows.map(toAuditRowDto), nextCursor: page.nextCursor?.toString() ?? null };
}

/** Every row matching the filter, for the CSV export; undefined for anyone but an admin. */
export async function getAuditForExport(filter: AuditFilter, limit = AUDIT_EXPORT_LIMIT): Promise<AuditRowDto[] | undefined> {
  if (!(await currentAdmin())) return undefined;
  const { db } = await database();
  return (await readAuditForExport(db, filter, limit)).map(toAuditRowDto);
}
