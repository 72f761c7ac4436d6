import { quoteIdent, type BulkSql, type CopyShape } from "./bulk";

/**
 * What a projection table carries besides its rows, read from the catalog so that a table built
 * beside it can take its place: the same indexes and constraints under the same names (later
 * migrations refer to them), the same owner, grants, comment and storage options.
 *
 * Copied: columns with defaults, generated columns, storage, compression and column comments
 * (CREATE TABLE … LIKE), NOT NULL, CHECK, primary key, unique, exclusion and foreign-key
 * constraints, indexes, owner, table privileges, the table comment and reloptions. Refused (the
 * rebuild stops before changing anything): triggers and row-level security, which it would have to
 * re-create and cannot yet. Not copied: column-level privileges, the owner's own privileges (the
 * owner keeps all), publication membership.
 */
export type LiveTable = {
  readonly name: string;
  readonly oid: string;
  /** quote_ident(schema), and schema.name quoted as pg_get_indexdef prints it. */
  readonly schema: string;
  readonly qualified: string;
  readonly owner: string;
  readonly comment: string | null;
  readonly reloptions: string[];
  readonly columns: { name: string; type: string }[];
  /** Indexes that back no constraint. */
  readonly indexes: { name: string; definition: string }[];
  /** p: primary key, u: unique, x: exclusion, c: check, f: foreign key, n: not null (Postgres 18). */
  readonly constraints: { name: string; type: string; definition: string; column: string | null }[];
  readonly grants: { grantee: string | null; privilege: string; grantable: boolean }[];
};

export async function describeTable(bulk: BulkSql, name: string): Promise<LiveTable> {
  const [table] = await bulk.rows(
    `select c.oid::text, quote_ident(n.nspname), quote_ident(n.nspname) || '.' || quote_ident(c.relname), pg_get_userbyid(c.relowner),
            obj_description(c.oid, 'pg_class'), coalesce(array_to_json(c.reloptions)::text, '[]'), c.relrowsecurity,
            (select count(*)::int from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal),
            (select count(*)::int from pg_policy p where p.polrelid = c.oid)
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.oid = to_regclass($1)`,
    [name],
  );
  if (!table) throw new Error(`No table ${name}: are the migrations applied?`);
  const [oid, schema, qualified, owner, comment, reloptions, rowSecurity, triggers, policies] = table as [
    string,
    string,
    string,
    string,
    string | null,
    string,
    boolean,
    number,
    number,
  ];
  if (triggers > 0 || policies > 0 || rowSecurity) {
    throw new Error(`${name} has triggers or row-level security, which a projection rebuild cannot re-create: nothing was changed`);
  }
  const columns = await bulk.rows(
    `select attname, format_type(atttypid, atttypmod) from pg_attribute
      where attrelid = $1::oid and attnum > 0 and not attisdropped order by attnum`,
    [oid],
  );
  const indexes = await bulk.rows(
    `select quote_ident(i.relname), pg_get_indexdef(i.oid)
       from pg_index x join pg_class i on i.oid = x.indexrelid
      where x.indrelid = $1::oid
        and not exists (select 1 from pg_constraint k where k.conindid = x.indexrelid and k.conrelid = x.indrelid)
      order by i.relname`,
    [oid],
  );
  const constraints = await bulk.rows(
    `select conname, contype::text, pg_get_constraintdef(k.oid),
            (select attname from pg_attribute a where a.attrelid = k.conrelid and a.attnum = k.conkey[1])
       from pg_constraint k where k.conrelid = $1::oid order by contype, conname`,
    [oid],
  );
  const grants = await bulk.rows(
    `select case when a.grantee = 0 then null else quote_ident(pg_get_userbyid(a.grantee)) end, a.privilege_type, a.is_grantable
       from pg_class c, aclexplode(c.relacl) a where c.oid = $1::oid and a.grantee <> c.relowner
      order by 1, 2`,
    [oid],
  );
  return {
    name,
    oid,
    schema,
    qualified,
    owner,
    comment,
    reloptions: JSON.parse(reloptions) as string[],
    columns: columns.map(([column, type]) => ({ name: String(column), type: String(type) })),
    indexes: indexes.map(([index, definition]) => ({ name: String(index), definition: String(definition) })),
    constraints: constraints.map(([constraint, type, definition, column]) => ({
      name: String(constraint),
      type: String(type),
      definition: String(definition),
      column: column === null ? null : String(column),
    })),
    grants: grants.map(([grantee, privilege, grantable]) => ({
      grantee: grantee === null ? null : String(grantee),
      privilege: String(privilege),
      grantable: Boolean(grantable),
    })),
  };
}

/** The catalog's facts that a swap depends on, to notice a migration that ran during a rebuild. */
export const structureOf = (table: LiveTable) => JSON.stringify([table.oid, table.columns, table.indexes, table.constraints, table.reloptions]);

/** The schema's columns must be the table's: binary COPY sends each value in its column's exact type. */
export function checkColumns(table: LiveTable, shape: CopyShape): void {
  const live = new Map(table.columns.map((column) => [column.name, column.type]));
  const wrong = shape.columns.filter((column, index) => live.get(column) !== shape.types[index]);
  if (wrong.length > 0 || live.size !== shape.columns.length) {
    throw new Error(`${table.name} does not match the schema (${wrong.join(", ") || "column count"}): apply the migrations before rebuilding`);
  }
}

/**
 * A table shaped like `table` without its indexes and constraints (NOT NULL aside), to be filled
 * in bulk before they are made. Returns its quoted name.
 */
export async function createLike(bulk: BulkSql, table: LiveTable, name: string, options: { temporary?: boolean } = {}): Promise<string> {
  const target = options.temporary ? quoteIdent(name) : `${table.schema}.${quoteIdent(name)}`;
  if (!options.temporary) await bulk.run(`drop table if exists ${target}`);
  const storage = table.reloptions.length > 0 && !options.temporary ? ` with (${table.reloptions.join(", ")})` : "";
  await bulk.run(
    `create ${options.temporary ? "temporary " : ""}table ${target}
       (like ${table.qualified} including defaults including generated including storage including compression including comments)${storage}
       ${options.temporary ? "on commit drop" : ""}`,
  );
  return target;
}

/**
 * Makes the live table's constraints and indexes on the built one. Names that must be unique in
 * the schema (indexes, and constraints backed by one) get a stand-in now and their real name at the
 * swap, once the live table is gone; the rest get their real name at once.
 */
export async function addIndexesAndConstraints(
  bulk: BulkSql,
  table: LiveTable,
  target: string,
  standIn: (index: number) => string,
): Promise<{ renames: string[] }> {
  const renames: string[] = [];
  let next = 0;
  // Postgres 18 names NOT NULL constraints; LIKE gives the new table names of its own.
  const notNull = await bulk.rows(
    `select conname, (select attname from pg_attribute a where a.attrelid = k.conrelid and a.attnum = k.conkey[1])
       from pg_constraint k where k.conrelid = $1::regclass and contype = 'n'`,
    [target],
  );
  const builtNotNull = new Map(notNull.map(([constraint, column]) => [String(column), String(constraint)]));
  for (const constraint of table.constraints) {
    if (constraint.type === "n") {
      const built = builtNotNull.get(constraint.column ?? "");
      if (built !== constraint.name) {
        if (!built) throw new Error(`${table.name}: no NOT NULL constraint on ${constraint.column} in the built table`);
        await bulk.run(`alter table ${target} rename constraint ${quoteIdent(built)} to ${quoteIdent(constraint.name)}`);
      }
    } else if (constraint.type === "p" || constraint.type === "u" || constraint.type === "x") {
      const name = standIn(next++);
      await bulk.run(`alter table ${target} add constraint ${quoteIdent(name)} ${constraint.definition}`);
      renames.push(`alter table ${target} rename constraint ${quoteIdent(name)} to ${quoteIdent(constraint.name)}`);
    } else if (constraint.type === "c" || constraint.type === "f") {
      await bulk.run(`alter table ${target} add constraint ${quoteIdent(constraint.name)} ${constraint.definition}`);
    } else {
      throw new Error(`${table.name}: constraint ${constraint.name} of type ${constraint.type} cannot be re-created by a rebuild`);
    }
  }
  for (const index of table.indexes) {
    const name = standIn(next++);
    await bulk.run(retarget(index.definition, index.name, table.qualified, quoteIdent(name), target));
    renames.push(`alter index ${table.schema}.${quoteIdent(name)} rename to ${index.name}`);
  }
  return { renames };
}

/** pg_get_indexdef's statement for another name on another table. */
function retarget(definition: string, name: string, qualified: string, newName: string, target: string): string {
  for (const head of ["CREATE INDEX ", "CREATE UNIQUE INDEX "]) {
    for (const on of [" ON ", " ON ONLY "]) {
      const prefix = `${head}${name}${on}${qualified} USING `;
      if (definition.startsWith(prefix)) return `${head}${newName}${on}${target} USING ${definition.slice(prefix.length)}`;
    }
  }
  throw new Error(`Cannot re-create index ${name}: unexpected definition ${definition}`);
}

/** The live table's owner, privileges and comment on the built one (under the swap's lock). */
export async function copyAccess(bulk: BulkSql, table: LiveTable, target: string): Promise<void> {
  const [me] = await bulk.rows("select current_user::text");
  if (me?.[0] !== table.owner) await bulk.run(`alter table ${target} owner to ${quoteIdent(table.owner)}`);
  // Default privileges may have granted the new table more than the live one has.
  const extra = await bulk.rows(
    `select distinct case when a.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(a.grantee)) end
       from pg_class c, aclexplode(c.relacl) a where c.oid = $1::regclass and a.grantee <> c.relowner`,
    [target],
  );
  for (const [grantee] of extra) await bulk.run(`revoke all on ${target} from ${String(grantee)}`);
  for (const grant of table.grants) {
    await bulk.run(`grant ${grant.privilege} on ${target} to ${grant.grantee ?? "public"}${grant.grantable ? " with grant option" : ""}`);
  }
  if (table.comment !== null) await bulk.run(`comment on table ${target} is '${table.comment.replaceAll("'", "''")}'`);
}
