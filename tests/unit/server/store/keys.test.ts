import { describe, expect, it } from 'vitest';
import { keys, parseChunkSeq, parseControlKey, sweepIdOfListKey } from '../../../../server/store/keys';

const sid = 'swzd2zf1jcl-rqs814aqqm';

describe('key layout', () => {
  it('builds zero-padded keys so lexicographic order is numeric order', () => {
    expect(keys.claim(sid, 'e03-w000064-s1', 2)).toBe(`sweeps/${sid}/control/jobs/e03-w000064-s1/claim-000002.json`);
    expect(keys.chunk(sid, 'e03-w000064-s1', 2, 11)).toBe(
      `sweeps/${sid}/cells/e03-w000064-s1/e000002/metrics-000011.json`,
    );
    expect([keys.chunk(sid, 'e00-w000001-s1', 1, 10), keys.chunk(sid, 'e00-w000001-s1', 1, 9)].sort()[0]).toMatch(
      /metrics-000009/,
    );
    expect(keys.chunk(sid, 'e00-w000001-s1', 1, 3).startsWith(keys.chunkPrefix(sid, 'e00-w000001-s1', 1))).toBe(true);
    expect(keys.claim(sid, 'e00-w000001-s1', 1).startsWith(keys.jobControlPrefix(sid, 'e00-w000001-s1'))).toBe(true);
    expect(keys.jobControlPrefix(sid, 'e00-w000001-s1').startsWith(keys.controlPrefix(sid))).toBe(true);
  });

  it('parses what it builds, and nothing else', () => {
    expect(parseControlKey(sid, keys.claim(sid, 'calibration', 7))).toEqual({
      kind: 'claim',
      jobId: 'calibration',
      epoch: 7,
    });
    expect(parseControlKey(sid, keys.released(sid, 'e01-w000002-s3', 1))).toEqual({
      kind: 'released',
      jobId: 'e01-w000002-s3',
      epoch: 1,
    });
    expect(parseControlKey(sid, keys.done(sid, 'e01-w000002-s3'))).toEqual({ kind: 'done', jobId: 'e01-w000002-s3' });
    expect(parseControlKey(sid, keys.cancel(sid))).toEqual({ kind: 'cancel' });
    expect(parseControlKey(sid, keys.calibration(sid))).toEqual({ kind: 'calibration' });
    expect(parseControlKey(sid, `sweeps/${sid}/control/jobs/not-a-cell/done.json`)).toBeNull();
    expect(parseControlKey(sid, keys.progress(sid, 'e01-w000002-s3', 1))).toBeNull();
    expect(parseChunkSeq(keys.chunk(sid, 'e00-w000001-s1', 1, 42))).toBe(42);
    expect(parseChunkSeq(keys.progress(sid, 'e00-w000001-s1', 1))).toBeNull();
    expect(sweepIdOfListKey(keys.indexEntry(sid))).toBe(sid);
    expect(sweepIdOfListKey(keys.active(sid))).toBe(sid);
    expect(sweepIdOfListKey('index/garbage.json')).toBeNull();
  });
});
