import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { NewerRecordVersionError, safeParseStored, upgradeStored, versioned } from '../../../../server/core/versioned';

/**
 * A toy record at version 3: v2 renamed `n` to `count`, v3 added `unit` (defaulting old records to 'steps').
 * The migrations see the stored JSON of the version before theirs.
 */
const ToySchema = versioned({
  name: 'Toy',
  version: 3,
  schema: z.object({ schemaVersion: z.literal(3), count: z.int(), unit: z.enum(['steps', 'epochs']) }),
  migrations: {
    2: ({ n, ...v1 }) => ({ ...v1, count: n }),
    3: (v2) => ({ ...v2, unit: 'steps' }),
  },
});

describe('versioned records', () => {
  it('upgrades each older version through the migrations after it, in order, then validates', () => {
    expect(safeParseStored(ToySchema, { schemaVersion: 1, n: 5 })).toEqual({
      success: true,
      data: { schemaVersion: 3, count: 5, unit: 'steps' },
    });
    expect(safeParseStored(ToySchema, { schemaVersion: 2, count: 6 })).toEqual({
      success: true,
      data: { schemaVersion: 3, count: 6, unit: 'steps' },
    });
    // The current version is only validated.
    expect(upgradeStored(ToySchema, { schemaVersion: 3, count: 7, unit: 'epochs' })).toEqual({
      schemaVersion: 3,
      count: 7,
      unit: 'epochs',
    });
  });

  it('does not change the stored JSON it upgrades', () => {
    const stored = { schemaVersion: 1, n: 5 };
    upgradeStored(ToySchema, stored);
    expect(stored).toEqual({ schemaVersion: 1, n: 5 });
  });

  it('refuses a newer version with an error naming the record and both versions', () => {
    expect(() => upgradeStored(ToySchema, { schemaVersion: 4, count: 1, unit: 'steps' })).toThrow(
      NewerRecordVersionError,
    );
    expect(safeParseStored(ToySchema, { schemaVersion: 99 })).toEqual({
      success: false,
      message: 'Toy has schemaVersion 99, newer than this code reads (3); read it with a newer version',
    });
  });

  it('leaves a value without a usable version to the schema, which names the field', () => {
    for (const stored of [{ count: 1, unit: 'steps' }, { schemaVersion: 0 }, { schemaVersion: '1' }, [1], 'x', null]) {
      expect(upgradeStored(ToySchema, stored)).toBe(stored);
      const r = safeParseStored(ToySchema, stored);
      expect(r.success).toBe(false);
    }
    expect(safeParseStored(ToySchema, { count: 1, unit: 'steps' })).toMatchObject({
      success: false,
      message: expect.stringMatching(/^schemaVersion: /) as unknown,
    });
    // A migrated record that still does not fit is reported by field.
    expect(safeParseStored(ToySchema, { schemaVersion: 1, n: 1.5 })).toMatchObject({
      success: false,
      message: expect.stringMatching(/^count: /) as unknown,
    });
  });

  it('checks the declaration: the schema takes exactly its version; each version after 1 has a migration', () => {
    const schema = (v: number) => z.object({ schemaVersion: z.literal(v) });
    expect(() => versioned({ name: 'A', version: 2, schema: schema(1), migrations: { 2: (r) => r } })).toThrow(
      'A: the schemaVersion field must accept 2 and nothing newer',
    );
    expect(() => versioned({ name: 'B', version: 3, schema: schema(3), migrations: { 3: (r) => r } })).toThrow(
      'B: migrations must be given for versions [2, 3], got [3]',
    );
    expect(() => versioned({ name: 'C', version: 1, schema: schema(1), migrations: { 2: (r) => r } })).toThrow(
      'C: migrations must be given for versions [], got [2]',
    );
    expect(() => versioned({ name: 'D', version: 1, schema: z.object({ v: z.literal(1) }), migrations: {} })).toThrow(
      'D: the schemaVersion field must accept 1 and nothing newer',
    );
  });

  it('reads only records declared with versioned()', () => {
    expect(() => safeParseStored(z.object({ schemaVersion: z.literal(1) }), { schemaVersion: 1 })).toThrow(
      /not declared with versioned/,
    );
  });
});
