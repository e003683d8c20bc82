import { type ReproduceApi } from './api';
import { type Fleet } from './fleet';
import { studyProgress, sweepProgress, type StudyProgress } from './progress';

/**
 * Wait for every sweep of a study to finish, reporting progress (from `sweeps.byId`) every `intervalMs`. Fails when
 * a sweep cannot finish (cancelled, or its λ0 calibration failed) or when the local fleet exited with work left.
 */

export class StudyStuckError extends Error {
  override name = 'StudyStuckError';
}

export async function readStudyProgress(api: ReproduceApi, studyId: string): Promise<StudyProgress> {
  const study = await api.caller.studies.byId({ id: studyId });
  const views = await Promise.all(study.sweeps.map((s) => api.caller.sweeps.byId({ id: s.sweepId })));
  return studyProgress(views.map((v, i) => sweepProgress(study.sweeps[i]?.role ?? v.sweep.id, v)));
}

export async function waitForStudy(
  api: ReproduceApi,
  studyId: string,
  o: { fleet: Fleet | null; intervalMs: number; onProgress: (p: StudyProgress) => void; signal?: AbortSignal },
): Promise<StudyProgress> {
  let fleetGoneChecks = 0;
  for (;;) {
    if (o.signal?.aborted) throw o.signal.reason;
    const p = await readStudyProgress(api, studyId);
    o.onProgress(p);
    if (p.finished) return p;
    const stuck = p.sweeps.filter((s) => s.stuck !== null);
    if (stuck.length > 0) {
      const reasons = await Promise.all(
        stuck.map(async (s) =>
          s.stuck === 'blocked'
            ? `blocked: its λ0 calibration failed${await calibrationError(api, studyId, s.role)}`
            : 'cancelled',
        ),
      );
      throw new StudyStuckError(
        `cannot finish: ${stuck.map((s, i) => `sweep ${s.role} is ${reasons[i] ?? ''}`).join('; ')}`,
      );
    }
    if (o.fleet && o.fleet.workers.length > 0 && o.fleet.alive().length === 0) {
      // The last worker may have written the last result just before exiting: look once more before giving up.
      if (++fleetGoneChecks > 1) {
        const codes = o.fleet.workers.map((w) => w.exitCode ?? 'signal').join(', ');
        throw new StudyStuckError(
          `every local worker exited (codes ${codes}) with ${p.total - p.done} of ${p.total} cells unfinished`,
        );
      }
      continue;
    }
    await sleep(o.intervalMs, o.signal);
  }
}

/** ` (<the calibration job's error>)` of a study's sweep by role, or '' when there is none to show. */
async function calibrationError(api: ReproduceApi, studyId: string, role: string): Promise<string> {
  const study = await api.caller.studies.byId({ id: studyId });
  const sweepId = study.sweeps.find((s) => s.role === role)?.sweepId;
  if (sweepId === undefined) return '';
  const result = await api.store.getCellResult(sweepId, 'calibration').catch(() => null);
  return result?.error ? ` (${result.error.split('\n')[0] ?? ''})` : '';
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
