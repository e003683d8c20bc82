import { describe, expect, it } from 'vitest';
import {
  CellNotFoundError,
  CorruptRecordError,
  InvalidRecordError,
  NotFoundError,
  RecordError,
  SweepNotFoundError,
} from '../../../../server/core/errors';

describe('domain errors', () => {
  it('are matched by their base classes, and keep their own names and messages', () => {
    const sweep = new SweepNotFoundError('sw1');
    const cell = new CellNotFoundError('sw1', 'e00-w000001-s1');
    for (const e of [sweep, cell]) {
      expect(e).toBeInstanceOf(NotFoundError);
      expect(e).not.toBeInstanceOf(RecordError);
    }
    expect([sweep.name, sweep.message]).toEqual(['SweepNotFoundError', 'sweep not found: sw1']);
    expect([cell.name, cell.message]).toEqual(['CellNotFoundError', 'cell e00-w000001-s1 not found in sweep sw1']);

    const corrupt = new CorruptRecordError('sweeps/x/spec.json', 'Unexpected end of JSON input');
    const invalid = new InvalidRecordError('steps: Too big');
    for (const e of [corrupt, invalid]) {
      expect(e).toBeInstanceOf(RecordError);
      expect(e).not.toBeInstanceOf(NotFoundError);
    }
    expect(corrupt.key).toBe('sweeps/x/spec.json');
    expect(corrupt.message).toBe('corrupt record sweeps/x/spec.json: Unexpected end of JSON input');
    expect(invalid).not.toBeInstanceOf(CorruptRecordError);
    expect(invalid.name).toBe('InvalidRecordError');
  });
});
