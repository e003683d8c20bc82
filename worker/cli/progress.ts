import type { RunResult } from '../../server/core/metrics';
import type { TrainProgress } from '../engine/train';

/** Human-readable duration: "12s", "3m05s", "1h02m"; "–" when unknown or infinite. */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '–';
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A metric value in 4 significant digits (exponent form when tiny or huge); NaN/±Inf spelled out. */
export function formatValue(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Inf' : '-Inf';
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return x.toExponential(2);
  return x.toPrecision(4);
}

/** One progress line: bar, percent, step, loss, lr, steps/s, ETA, and λ and r when sharpness is tracked. */
export function formatProgress(p: TrainProgress, barWidth = 20): string {
  const frac = p.total > 0 ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(frac * barWidth);
  const bar = '#'.repeat(filled) + '.'.repeat(barWidth - filled);
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  return (
    `[${bar}] ${pct} step ${p.done}/${p.total}  loss ${formatValue(p.loss)}  lr ${formatValue(p.lr)}  ` +
    `${p.stepsPerSec.toFixed(1)} steps/s  ETA ${formatDuration(p.etaSec)}` +
    (p.lambda === undefined ? '' : `  λ ${formatValue(p.lambda)}`) +
    (p.stabilityRatio === undefined ? '' : `  r ${formatValue(p.stabilityRatio)}`)
  );
}

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
}

/**
 * Draws progress on a terminal (one line redrawn in place, at most every `minIntervalMs`) or, when the sink is not a
 * TTY (a log file, CI), as plain lines at every 10% of the run.
 */
export class ProgressReporter {
  private lastDraw = -Infinity;
  private lastDecile = -1;
  private drawn = false;

  constructor(
    private readonly sink: ProgressSink,
    private readonly opts: { minIntervalMs?: number; now?: () => number } = {},
  ) {}

  update(p: TrainProgress): void {
    const now = (this.opts.now ?? Date.now)();
    const last = p.done >= p.total;
    if (this.sink.isTTY === true) {
      if (!last && now - this.lastDraw < (this.opts.minIntervalMs ?? 100)) return;
      this.sink.write(`\r\x1b[2K${formatProgress(p)}`);
      this.lastDraw = now;
      this.drawn = true;
      return;
    }
    const decile = Math.floor((10 * p.done) / Math.max(1, p.total));
    if (decile > this.lastDecile) {
      this.sink.write(`${formatProgress(p)}\n`);
      this.lastDecile = decile;
    }
  }

  /** Ends the in-place line so later output starts on a fresh line. */
  finish(): void {
    if (this.sink.isTTY === true && this.drawn) this.sink.write('\n');
    this.drawn = false;
  }
}

function pct(x: number | null): string {
  return x === null ? '–' : Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : formatValue(x);
}
function val(x: number | null): string {
  return x === null ? '–' : formatValue(x);
}

/** The end-of-run summary, one fact per line. */
export function formatSummary(r: RunResult): string {
  const lines: string[] = [];
  let outcome: string = r.outcome;
  if (r.divergence !== null) outcome += ` at step ${r.divergence.step} (loss ${formatValue(r.divergence.loss)})`;
  if (r.outcome === 'failed') outcome += ` (final train accuracy below 1.5/K = ${pct(1.5 / r.numClasses)})`;
  if (r.error !== null) outcome += `: ${r.error}`;
  lines.push(`outcome   ${outcome}`);
  lines.push(`steps     ${r.stepsRun}/${r.stepsPlanned} updates`);
  lines.push(
    `train     loss ${val(r.finalTrainLoss)}  acc ${pct(r.finalTrainAcc)} (last minibatch; best loss ${val(r.bestTrainLoss)})`,
  );
  const bestAt = r.bestTestAccStep === null ? '' : ` at step ${r.bestTestAccStep}`;
  lines.push(
    `test      loss ${val(r.finalTestLoss)}  acc ${pct(r.finalTestAcc)} (best ${pct(r.bestTestAcc)}${bestAt})`,
  );
  if (r.etaC !== null) lines.push(`η_c       ${formatValue(r.etaC)}`);
  const cv = r.curvature;
  if (cv !== null && cv.measuredSteps > 0) {
    const regime =
      cv.regime === null
        ? ''
        : `; regime ${cv.regime.regime}${cv.regime.persistentCycle === true ? ' (persistent cycle)' : ''}`;
    const lambda = cv.quantity === 'sharpness' ? 'λ^H' : 'λ^{P⁻¹H}';
    lines.push(
      `curvature ${lambda} on ${cv.measuredSteps} steps; ${cv.catapults.length} catapult${cv.catapults.length === 1 ? '' : 's'}${regime}`,
    );
  }
  if (r.lambda0 !== null) lines.push(`λ0        ${formatValue(r.lambda0)}`);
  lines.push(
    `speed     ${r.stepsPerSec.toFixed(1)} steps/s (training ${formatDuration(r.trainTimeMs / 1000)}, total ${formatDuration(r.wallTimeMs / 1000)})`,
  );
  lines.push(`backend   ${r.backend}${r.device === '' ? '' : ` — ${r.device}`}`);
  lines.push(`params    ${r.paramCount.toLocaleString('en-US')}`);
  return lines.join('\n');
}
