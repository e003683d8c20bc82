import { z } from 'zod';
import { formatZodError } from './errors';

/**
 * Stored records outlive the code that wrote them (a team's blob store keeps sweeps for years), so every record the
 * store keeps under a key is declared with `versioned`: its current schema, its current `schemaVersion`, and one
 * migration per version since 1, side by side (as tldraw's record migrations are). Writers validate against the
 * current schema only; readers go through `safeParseStored`, which upgrades an older record one version at a time and
 * then validates it, and refuses a record newer than this code with a message naming the record and both versions.
 *
 * Records stored inside others (SweepSpec in SweepRecord; RunResult, RunConfig and CurvatureSummary in
 * CellResultRecord; MetricRow as the columns of a MetricChunk) carry their own version constant; a change of their
 * shape is a new version of every record that holds them, whose migration rewrites the nested value.
 */

/** A record as stored, before validation: a JSON object. */
export type StoredJson = Record<string, unknown>;

/** Upgrades a record of version v−1 to version v; the runner sets `schemaVersion` to v afterwards. */
export type Migration = (older: StoredJson) => StoredJson;

export interface RecordVersioning {
  /** The record's name in messages: "SweepRecord". */
  name: string;
  /** The `schemaVersion` writers write now. */
  version: number;
  /** `migrations[v]` upgrades version v−1 to v, for every v from 2 to `version`. */
  migrations: Readonly<Record<number, Migration>>;
}

// Keyed by the schema object, so a reader that is handed a record's schema (the store's `read(key, schema)`) finds its
// versions and migrations without a second name for the record.
const versionings = new WeakMap<z.ZodType, RecordVersioning>();

/**
 * Declare a stored record: returns `schema` itself (so `z.infer` and writers are unchanged) after checking that its
 * `schemaVersion` field accepts `version` and nothing newer, and that a migration exists for every version after 1.
 */
export function versioned<S extends z.ZodObject>(o: RecordVersioning & { schema: S }): S {
  const field: unknown = o.schema.shape['schemaVersion'];
  if (!(field instanceof z.ZodType) || !field.safeParse(o.version).success || field.safeParse(o.version + 1).success)
    throw new Error(`${o.name}: the schemaVersion field must accept ${o.version} and nothing newer`);
  const expected = Array.from({ length: o.version - 1 }, (_, i) => String(i + 2));
  const given = Object.keys(o.migrations).sort((a, b) => Number(a) - Number(b));
  if (given.join() !== expected.join())
    throw new Error(
      `${o.name}: migrations must be given for versions [${expected.join(', ')}], got [${given.join(', ')}]`,
    );
  versionings.set(o.schema, { name: o.name, version: o.version, migrations: o.migrations });
  return o.schema;
}

/** The versioning `versioned` declared for a schema (undefined for a schema that is not a stored record). */
export function versioningOf(schema: z.ZodType): RecordVersioning | undefined {
  return versionings.get(schema);
}

/** A record that cannot be read by this code: written by a newer version. */
export class NewerRecordVersionError extends Error {
  override name = 'NewerRecordVersionError';
  constructor(
    readonly record: string,
    readonly found: number,
    readonly current: number,
  ) {
    super(
      `${record} has schemaVersion ${found}, newer than this code reads (${current}); read it with a newer version`,
    );
  }
}

/**
 * Upgrade stored JSON of a versioned record to its current version (no validation). A value that is not an object
 * with an integer `schemaVersion` ≥ 1 is returned unchanged, for the schema to reject (or to default, where it gives
 * `schemaVersion` a default). Throws NewerRecordVersionError for a version above the current one.
 */
export function upgradeStored(schema: z.ZodType, json: unknown): unknown {
  const versioning = versionings.get(schema);
  if (versioning === undefined) throw new Error('upgradeStored: the schema was not declared with versioned()');
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  let record = json as StoredJson;
  const found = record['schemaVersion'];
  if (typeof found !== 'number' || !Number.isInteger(found) || found < 1) return json;
  if (found > versioning.version) throw new NewerRecordVersionError(versioning.name, found, versioning.version);
  for (let v = found + 1; v <= versioning.version; v++) {
    const migrate = versioning.migrations[v];
    // versioned() checked that every version after 1 has its migration.
    if (migrate === undefined) throw new Error(`${versioning.name}: no migration to version ${v}`);
    record = { ...migrate(record), schemaVersion: v };
  }
  return record;
}

export type StoredParse<T> = { success: true; data: T } | { success: false; message: string };

/**
 * Read stored JSON as the current version of its record: upgrade (`upgradeStored`), then validate with the current
 * schema. A failure is a message naming the record's fields (or its versions when it is newer than this code).
 */
export function safeParseStored<S extends z.ZodType>(schema: S, json: unknown): StoredParse<z.output<S>> {
  let upgraded: unknown;
  try {
    upgraded = upgradeStored(schema, json);
  } catch (e) {
    if (e instanceof NewerRecordVersionError) return { success: false, message: e.message };
    throw e;
  }
  const r = schema.safeParse(upgraded);
  return r.success ? { success: true, data: r.data } : { success: false, message: formatZodError(r.error) };
}
