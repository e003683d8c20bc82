import { describe, expect, it } from 'vitest';
import { InvalidRecordError, SweepNotFoundError } from '../../../server/core/errors';
import { gridCells } from '../../../server/core/grid';
import { type MetricRow } from '../../../server/core/metrics';
import { type SweepSpecInput } from '../../../server/core/sweep-spec';
import { type BlobStore } from '../../../server/store/blob-store';
import { CellWriter } from '../../../server/store/cell-writer';
import { JobLeases } from '../../../server/store/job-leases';
import { keys } from '../../../server/store/keys';
import { MetricChunkSchema } from '../../../server/core/metric-chunk';
import { SweepStore } from '../../../server/store/sweep-store';

/**
 * Store-level behaviour of sweeps, claims, leases, chunks and progress, run on every adapter. `fresh()` returns an
 * empty BlobStore. Time is a real clock plus an offset the tests move forward (listing times come from the
 * adapter's own clock, so the offset only ever moves "now" later).
 */
export function sweepStoreSuite(name: string, fresh: () => Promise<BlobStore>): void {
  const spec = (over: Partial<SweepSpecInput> = {}): SweepSpecInput => ({
    title: 'tiny',
    author: 'test',
    model: { kind: 'fcn', depth: 2, width: 4 },
    data: { name: 'synthetic-gmm' },
    steps: 10,
    etaGrid: { kind: 'explicit', values: [0.1, 0.2, 0.4] },
    warmupGrid: [1],
    ...over,
  });
  /** A row as the engine hands it over (numbers, NaN/±Inf included). */
  const row = (step: number, loss: number, extra: Partial<MetricRow> = {}): MetricRow => ({
    schemaVersion: 1,
    step,
    lr: 0.1,
    loss,
    acc: 0.5,
    gradNorm: 1,
    paramNorm: 2,
    ...extra,
  });

  function world(blob: BlobStore, leaseMs = 1000) {
    let offset = 0;
    const store = new SweepStore(blob, () => Date.now() + offset);
    return { store, leases: new JobLeases(store, { leaseMs }), advance: (ms: number) => (offset += ms) };
  }

  describe(`sweep store: ${name}`, () => {
    it('creates, lists newest first, reads back, and rejects bad specs naming the field', async () => {
      const { store } = world(await fresh());
      const older = await store.createSweep(spec({ title: 'older' }), { now: 1_000_000 });
      const newer = await store.createSweep(spec({ title: 'newer' }), { now: 2_000_000 });
      const list = await store.listSweeps();
      expect(list.sweeps.map((s) => s.title)).toEqual(['newer', 'older']);
      expect(list.sweeps[0]).toMatchObject({ id: newer.id, cellCount: 3, etaUnit: 'absolute', author: 'test' });
      const page1 = await store.listSweeps({ limit: 1 });
      expect(page1.sweeps.map((s) => s.id)).toEqual([newer.id]);
      expect((await store.listSweeps({ limit: 1, cursor: page1.cursor })).sweeps.map((s) => s.id)).toEqual([older.id]);
      expect((await store.getSweep(older.id)).spec.title).toBe('older');
      expect(await store.listActiveSweepIds()).toEqual([newer.id, older.id]);
      await expect(store.getSweep('sw000000000-0000000000')).rejects.toBeInstanceOf(SweepNotFoundError);
      await expect(store.getSweep('../etc')).rejects.toBeInstanceOf(SweepNotFoundError);
      await expect(store.createSweep(spec({ steps: 0 }))).rejects.toThrow(InvalidRecordError);
      await expect(store.createSweep(spec({ steps: 0 }))).rejects.toThrow(/^steps: Too small/);
    });

    it('concurrent claims: 5 workers on 3 cells win exactly 3 distinct cells at epoch 1', async () => {
      const blob = await fresh();
      const { store } = world(blob);
      const sweep = await store.createSweep(spec());
      const workers = Array.from({ length: 5 }, () => new JobLeases(new SweepStore(blob), { leaseMs: 30_000 }));
      const leases = await Promise.all(workers.map((w, i) => w.claimNext(sweep.id, sweep.spec, `w${i}`)));
      const won = leases.filter((l) => l !== null);
      expect(won).toHaveLength(3);
      expect(new Set(won.map((l) => l.jobId))).toEqual(new Set(gridCells(sweep.spec).map((c) => c.cellId)));
      expect(won.every((l) => l.epoch === 1)).toBe(true);
      const status = await store.getSweepStatus(sweep.id);
      expect(status.counts).toMatchObject({ running: 3, queued: 0 });
    });

    it('lease expiry: epoch 2 re-claims, epoch 1 is fenced, and only epoch 2 is ever read', async () => {
      const { store, leases, advance } = world(await fresh(), 1000);
      const sweep = await store.createSweep(spec({ etaGrid: { kind: 'explicit', values: [0.1] } }));
      const a = await leases.claimNext(sweep.id, sweep.spec, 'worker-a');
      expect(a?.epoch).toBe(1);
      if (!a) return;
      const wa = new CellWriter(store, {
        sweepId: sweep.id,
        cellId: a.jobId,
        epoch: 1,
        workerId: 'worker-a',
        totalSteps: 10,
        chunkRows: 3,
      });
      for (let s = 0; s < 4; s++) await wa.add(row(s, 100 + s)); // epoch-1 losses are 100+
      expect(await leases.claimNext(sweep.id, sweep.spec, 'worker-b')).toBeNull(); // lease still live
      advance(5000); // a's lease (1 s) has expired
      const b = await leases.claimNext(sweep.id, sweep.spec, 'worker-b');
      expect(b).toMatchObject({ jobId: a.jobId, epoch: 2 });
      if (!b) return;
      // Readers follow the highest epoch at once, even before it has written anything.
      expect(await store.readCellSeries(sweep.id, a.jobId)).toMatchObject({ epoch: 2, rows: [], problems: [] });
      expect(await leases.heartbeat(a)).toBe('fenced');
      expect(await leases.heartbeat(b)).toBe('ok');
      // The dead epoch keeps writing late: more rows, a result; complete() refuses it.
      await wa.add(row(4, 104));
      await wa.finish({ outcome: 'trained' });
      expect(await leases.complete(a, { outcome: 'trained', lastStep: 4, summary: {} })).toBe(false);
      const wb = new CellWriter(store, {
        sweepId: sweep.id,
        cellId: b.jobId,
        epoch: 2,
        workerId: 'worker-b',
        totalSteps: 10,
        chunkRows: 4,
      });
      for (let s = 0; s < 10; s++) await wb.add(row(s, s / 10));
      await wb.finish({ outcome: 'trained' });
      expect(await leases.complete(b, { outcome: 'trained', lastStep: 9, summary: { finalTrainLoss: 0.9 } })).toBe(
        true,
      );
      const series = await store.readCellSeries(sweep.id, b.jobId);
      expect(series.epoch).toBe(2);
      expect(series.rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(series.rows.every((r) => r.loss < 1)).toBe(true); // no epoch-1 row (losses ≥ 100) leaks in
      expect(series.problems).toEqual([]);
      const result = await store.getCellResult(sweep.id, b.jobId);
      expect(result).toMatchObject({ epoch: 2, workerId: 'worker-b', lastStep: 9 });
      const status = await store.getSweepStatus(sweep.id);
      expect(status.cells[0]).toMatchObject({
        state: 'done',
        epoch: 2,
        done: { epoch: 2, summary: { finalTrainLoss: 0.9 } },
      });
      // Completed cells are never re-run, and the finished sweep leaves the workers' active list.
      advance(60_000);
      expect(await leases.claimNext(sweep.id, sweep.spec, 'worker-c')).toBeNull();
      expect(await store.listActiveSweepIds()).toEqual([]);
    });

    it('released claims are re-claimed at once with the next epoch', async () => {
      const { store, leases } = world(await fresh(), 60_000);
      const sweep = await store.createSweep(spec({ etaGrid: { kind: 'explicit', values: [0.1] } }));
      const a = await leases.claimNext(sweep.id, sweep.spec, 'a');
      if (!a) throw new Error('no claim');
      await leases.release(a);
      expect((await store.getSweepStatus(sweep.id)).cells[0]?.state).toBe('stalled');
      expect(await leases.claimNext(sweep.id, sweep.spec, 'b')).toMatchObject({ epoch: 2, workerId: 'b' });
    });

    it('round-trips chunks and progress with NaN and ±Infinity; reports bytes per row', async () => {
      const { store, leases } = world(await fresh());
      const sweep = await store.createSweep(spec({ etaGrid: { kind: 'explicit', values: [0.1] } }));
      const lease = await leases.claimNext(sweep.id, sweep.spec, 'w');
      if (!lease) throw new Error('no claim');
      const w = new CellWriter(store, {
        sweepId: sweep.id,
        cellId: lease.jobId,
        epoch: 1,
        workerId: 'w',
        totalSteps: 10,
        chunkRows: 3,
        progressMs: 0,
      });
      const rows = [
        row(0, 2.5, { sharpness: 10, testAcc: 0.1 }),
        row(1, 2.25),
        row(2, 2.0, { sharpness: 12.5 }),
        row(3, 1.5, { gradNorm: Number.POSITIVE_INFINITY }),
        row(4, 1.0, { paramNorm: Number.NEGATIVE_INFINITY }),
        row(5, Number.NaN),
        row(6, Number.POSITIVE_INFINITY),
      ];
      for (const r of rows) await w.add(r);
      await w.finish({ outcome: 'diverged' });
      expect(w.stats).toMatchObject({ chunks: 3, rows: 7 }); // 3 + 3 + 1
      const sizes = (await store.blob.list(keys.chunkPrefix(sweep.id, lease.jobId, 1))).blobs.map((b) => b.size);
      expect(w.bytesPerRow).toBeCloseTo(sizes.reduce((a, b) => a + b, 0) / 7, 10);
      const series = await store.readCellSeries(sweep.id, lease.jobId);
      expect(series.problems).toEqual([]);
      expect(series.rows).toHaveLength(7);
      expect(series.rows[0]).toMatchObject({ step: 0, loss: 2.5, sharpness: 10, testAcc: 0.1 });
      expect(series.rows[1]?.sharpness).toBeUndefined();
      expect(series.rows[3]?.gradNorm).toBe(Number.POSITIVE_INFINITY);
      expect(series.rows[4]?.paramNorm).toBe(Number.NEGATIVE_INFINITY);
      expect(Number.isNaN(series.rows[5]?.loss)).toBe(true);
      expect(series.rows[6]?.loss).toBe(Number.POSITIVE_INFINITY);
      const progress = (await store.getSweepStatus(sweep.id)).cells[0]?.progress;
      expect(progress).toMatchObject({ step: 6, totalSteps: 10, rows: 7, chunks: 3 });
      expect(progress?.history.step).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect(progress?.history.loss.slice(0, 5)).toEqual([2.5, 2.25, 2.0, 1.5, 1.0]);
      expect(Number.isNaN(progress?.history.loss[5])).toBe(true);
      // The λ history carries the latest measured λ forward: 10, 10, 12.5, 12.5, …
      expect(progress?.history.sharpness).toEqual([10, 10, 12.5, 12.5, 12.5, 12.5, 12.5]);
      expect(progress?.latest.loss).toBe(Number.POSITIVE_INFINITY);
    });

    it('writes a chunk after N rows or T ms, whichever comes first, and progress at most every P ms', async () => {
      const { store, leases, advance } = world(await fresh());
      const sweep = await store.createSweep(spec({ etaGrid: { kind: 'explicit', values: [0.1] } }));
      const lease = await leases.claimNext(sweep.id, sweep.spec, 'w');
      if (!lease) throw new Error('no claim');
      const w = new CellWriter(store, {
        sweepId: sweep.id,
        cellId: lease.jobId,
        epoch: 1,
        workerId: 'w',
        totalSteps: 100,
        chunkRows: 5,
        chunkMs: 10_000,
        progressMs: 4_000,
      });
      // Fast rows: 5 per chunk.
      for (let s = 0; s < 10; s++) await w.add(row(s, 1));
      expect(w.stats.chunks).toBe(2);
      // Slow rows, 6 s apart: the 10 s timer cuts a chunk every 2 rows, before 5 rows pile up.
      for (let s = 10; s < 16; s++) {
        advance(6_000);
        await w.add(row(s, 1));
      }
      expect(w.stats.chunks).toBe(5);
      expect(w.stats.rows).toBe(16);
      // Progress: once at the first row (nothing before), then at every slow row but none in between fast ones.
      expect(w.stats.progressWrites).toBe(1 + 6);
      const chunkSizes = await Promise.all(
        (await store.blob.list(keys.chunkPrefix(sweep.id, lease.jobId, 1))).blobs.map(
          async (b) => (await store.read(b.key, MetricChunkSchema))?.value.rows.length,
        ),
      );
      expect(chunkSizes).toEqual([5, 5, 2, 2, 2]);
    });

    it('a truncated chunk is reported on its cell and does not break reads of the others', async () => {
      const { store, leases } = world(await fresh());
      const sweep = await store.createSweep(spec({ etaGrid: { kind: 'explicit', values: [0.1, 0.2] } }));
      const ids: string[] = [];
      for (const who of ['a', 'b']) {
        const lease = await leases.claimNext(sweep.id, sweep.spec, who);
        if (!lease) throw new Error('no claim');
        ids.push(lease.jobId);
        const w = new CellWriter(store, {
          sweepId: sweep.id,
          cellId: lease.jobId,
          epoch: 1,
          workerId: who,
          totalSteps: 10,
          chunkRows: 2,
          progressMs: 0,
        });
        for (let s = 0; s < 6; s++) await w.add(row(s, 1));
        await w.finish({ outcome: 'trained' });
      }
      const [bad, good] = ids as [string, string];
      const key = keys.chunk(sweep.id, bad, 1, 1);
      const original = await store.blob.get(key);
      if (!original) throw new Error('chunk missing');
      await store.blob.put(key, new TextDecoder().decode(original.body).slice(0, 40)); // as a crash mid-write would leave it
      await store.blob.put(keys.progress(sweep.id, bad, 1), '{"schemaVersion":1,');
      const s1 = await store.readCellSeries(sweep.id, bad);
      expect(s1.rows.map((r) => r.step)).toEqual([0, 1, 4, 5]);
      expect(s1.problems).toHaveLength(1);
      expect(s1.problems[0]?.key).toBe(key);
      expect(s1.problems[0]?.message).toMatch(/corrupt record .*metrics-000001\.json/);
      const s2 = await store.readCellSeries(sweep.id, good);
      expect(s2.rows.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(s2.problems).toEqual([]);
      const status = await store.getSweepStatus(sweep.id);
      const byId = new Map(status.cells.map((c) => [c.cellId, c]));
      expect(byId.get(bad)?.problems[0]).toContain(`corrupt record ${keys.progress(sweep.id, bad, 1)}: `);
      expect(byId.get(bad)?.progress).toBeNull();
      expect(byId.get(good)?.problems).toEqual([]);
      expect(byId.get(good)?.progress?.step).toBe(5);
    });

    it('cancel: no new claims, queued cells show cancelled, a running cell stops at its next chunk boundary', async () => {
      const { store, leases } = world(await fresh());
      const sweep = await store.createSweep(spec());
      const lease = await leases.claimNext(sweep.id, sweep.spec, 'w');
      if (!lease) throw new Error('no claim');
      const w = new CellWriter(store, {
        sweepId: sweep.id,
        cellId: lease.jobId,
        epoch: 1,
        workerId: 'w',
        totalSteps: 10,
        chunkRows: 2,
        atChunkBoundary: async () => (await store.getCancel(sweep.id)) !== null,
      });
      await w.add(row(0, 1));
      await w.add(row(1, 1));
      expect(w.stopped).toBe(false);
      const first = await store.cancelSweep(sweep.id, 'ada');
      expect((await store.cancelSweep(sweep.id)).cancelledAt).toBe(first.cancelledAt); // idempotent
      await w.add(row(2, 1));
      expect(w.stopped).toBe(false); // mid-chunk: keeps going
      await w.add(row(3, 1));
      expect(w.stopped).toBe(true); // at the boundary
      await w.finish({ outcome: 'cancelled' });
      expect(await leases.complete(lease, { outcome: 'cancelled', lastStep: 3, summary: {} })).toBe(true);
      expect(await leases.claimNext(sweep.id, sweep.spec, 'x')).toBeNull();
      expect(await store.listActiveSweepIds()).toEqual([]);
      const status = await store.getSweepStatus(sweep.id);
      expect(status.cancelled?.by).toBe('ada');
      expect(status.cells.map((c) => c.state)).toEqual(['done', 'cancelled', 'cancelled']);
      expect(status.cells[0]?.done?.outcome).toBe('cancelled');
    });

    it('a λ0-relative grid runs its calibration first; cells get η = 2^x/λ0 once λ0 is written', async () => {
      const { store, leases } = world(await fresh());
      const sweep = await store.createSweep(
        spec({ etaGrid: { kind: 'pow2', unit: 'inv-lambda0', fromExp: 0, toExp: 1 } }),
      );
      const cal = await leases.claimNext(sweep.id, sweep.spec, 'a');
      expect(cal?.jobId).toBe('calibration');
      if (!cal) return;
      expect(await leases.claimNext(sweep.id, sweep.spec, 'b')).toBeNull(); // cells wait for λ0
      const before = await store.getSweepStatus(sweep.id);
      expect(before.calibrationState).toBe('running');
      expect(before.cells.map((c) => c.etaTrgt)).toEqual([null, null]);
      await store.putCalibration({
        schemaVersion: 1,
        sweepId: sweep.id,
        lambda0: 8,
        batches: 10,
        seed: 1,
        measuredAt: store.now(),
        workerId: 'a',
        epoch: 1,
      });
      expect(await leases.complete(cal, { outcome: 'trained', lastStep: 0, summary: { lambda0: 8 } })).toBe(true);
      const cell = await leases.claimNext(sweep.id, sweep.spec, 'b');
      expect(cell?.jobId).toBe('e00-w000001-s1');
      const after = await store.getSweepStatus(sweep.id);
      expect(after.calibration?.lambda0).toBe(8);
      expect(after.cells.map((c) => c.etaTrgt)).toEqual([1 / 8, 2 / 8]);
    });
    it('a calibration that ends without λ0 blocks the cells and retires the sweep', async () => {
      const { store, leases } = world(await fresh());
      const sweep = await store.createSweep(
        spec({ etaGrid: { kind: 'pow2', unit: 'inv-lambda0', fromExp: 0, toExp: 1 } }),
      );
      const cal = await leases.claimNext(sweep.id, sweep.spec, 'a');
      if (!cal) throw new Error('no claim');
      expect(await leases.complete(cal, { outcome: 'error', lastStep: -1, summary: {} })).toBe(true);
      expect(await leases.claimNext(sweep.id, sweep.spec, 'b')).toBeNull();
      expect(await store.listActiveSweepIds()).toEqual([]);
      const status = await store.getSweepStatus(sweep.id);
      expect(status.calibrationState).toBe('done');
      expect(status.calibration).toBeNull();
      expect(status.cells.map((c) => c.state)).toEqual(['blocked', 'blocked']);
    });
    it('a repeated status read fetches only the records that changed (etags from two listings)', async () => {
      const inner = await fresh();
      const reads: string[] = [];
      const blob: BlobStore = {
        kind: inner.kind,
        put: (k, b, o) => inner.put(k, b, o),
        get: (k) => {
          reads.push(k);
          return inner.get(k);
        },
        head: (k) => inner.head(k),
        list: (p, o) => inner.list(p, o),
        delete: (k) => inner.delete(k),
      };
      const { store, leases } = world(blob, 60_000);
      const sweep = await store.createSweep(spec());
      const writers: CellWriter[] = [];
      for (const who of ['a', 'b', 'c']) {
        const lease = await leases.claimNext(sweep.id, sweep.spec, who);
        if (!lease) throw new Error('no claim');
        const w = new CellWriter(store, {
          sweepId: sweep.id,
          cellId: lease.jobId,
          epoch: 1,
          workerId: who,
          totalSteps: 10,
          progressMs: 0,
        });
        await w.add(row(0, 1));
        writers.push(w);
        if (who !== 'c') {
          await w.finish({ outcome: 'trained' });
          await leases.complete(lease, { outcome: 'trained', lastStep: 0, summary: {} });
        }
      }
      const first = await store.getSweepStatus(sweep.id);
      expect(first.cells.map((c) => c.state)).toEqual(['done', 'done', 'running']);
      reads.length = 0;
      const second = await new SweepStore(blob).getSweepStatus(sweep.id); // a new SweepStore shares the cache
      expect(second.cells.map((c) => c.progress?.step)).toEqual([0, 0, 0]);
      // Only the records without listing etags: the spec, the cancel and calibration probes.
      expect(reads.sort()).toEqual([keys.calibration(sweep.id), keys.cancel(sweep.id), keys.spec(sweep.id)].sort());
      reads.length = 0;
      await writers[2]?.add(row(1, 0.5)); // cell c's progress changes
      const third = await store.getSweepStatus(sweep.id);
      expect(third.cells[2]?.progress?.step).toBe(1);
      expect(reads.filter((k) => k.includes('/progress/'))).toEqual([keys.progress(sweep.id, 'e02-w000001-s1', 1)]);
    });
  });
}
