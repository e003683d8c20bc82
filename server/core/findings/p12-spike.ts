import { EARLY_STEPS } from './cell';
import { fmt, formatEta } from './format';
import { header, waitFor } from './model';
import type { ClaimText, Finding, FindingsCell, FindingsSweep, FindingTable } from './model';

/** P12, third part: GI-Adam removes Adam's initial loss spike (full-batch runs without warmup). */

/** A rise above (1 + δ)·L₀ is a spike: the δ of PAPER §5's catapult detector. */
export const SPIKE_DELTA = 0.1;

const P12_SPIKE_TEXT: ClaimText = {
  prediction:
    'GI-Adam removes the loss spike of Adam’s first steps at T_wrm = 1 (PAPER P12, §6.2, Fig 6 against Fig 2).',
  criterion:
    `Full-batch Adam and GI-Adam runs at T_wrm = 1 on the same η: the peak train loss of steps 1…${EARLY_STEPS} ` +
    'over L₀ (full batch, so the loss is deterministic). ' +
    `A peak above (1 + ${SPIKE_DELTA})·L₀ is a spike (PAPER §5’s δ). ` +
    'Pass: at every η where Adam spikes, GI-Adam does not. Not applicable when Adam spikes at no η.',
};

function spikeRatio(c: FindingsCell): number | null {
  const e = c.earlyLoss;
  return e === null ? null : e.peak / e.loss0;
}

function spikes(r: number | null): boolean {
  return r !== null && !(r <= 1 + SPIKE_DELTA);
}

/** An Adam cell at T_wrm = 1 and its GI-Adam twin (same η and seed), if it has one. */
interface SpikePair {
  a: FindingsCell;
  g: FindingsCell | null;
}

function spikeTable(spec: FindingsSweep['spec'], pairs: readonly SpikePair[]): FindingTable {
  return {
    columns: ['η', 'Adam: L₀', 'Adam: peak / L₀ (step)', 'GI-Adam: L₀', 'GI-Adam: peak / L₀ (step)'],
    rows: pairs.map(({ a, g }) => [
      formatEta(spec, a.etaInUnits, a.etaExp),
      fmt(a.earlyLoss?.loss0 ?? null),
      a.earlyLoss ? `${fmt(spikeRatio(a))} (${a.earlyLoss.peakStep})` : '—',
      fmt(g?.earlyLoss?.loss0 ?? null),
      g?.earlyLoss ? `${fmt(spikeRatio(g))} (${g.earlyLoss.peakStep})` : '—',
    ]),
  };
}

/** Whether GI-Adam removes Adam's initial loss spike (full-batch sweeps with T_wrm = 1); null if it does not apply. */
export function checkP12Spike(adam: FindingsSweep, gi: FindingsSweep, ids: string[]): Finding | null {
  if (adam.spec.batchSize !== 0 || !adam.spec.warmupGrid.includes(1)) return null;
  const base = header('P12', 'P12: GI-Adam removes Adam’s initial loss spike', ids, P12_SPIKE_TEXT);
  const wait = waitFor([adam, gi]);
  if (wait) return { ...base, ...wait };
  const twin = (a: FindingsCell) =>
    gi.cells.find((g) => g.warmupSteps === 1 && g.etaInUnits === a.etaInUnits && g.seed === a.seed) ?? null;
  const pairs: SpikePair[] = adam.cells
    .filter((a) => a.warmupSteps === 1)
    .map((a) => ({ a, g: twin(a) }))
    .sort((x, y) => x.a.etaInUnits - y.a.etaInUnits);
  const table = spikeTable(adam.spec, pairs);
  const measured = pairs.filter(({ a, g }) => a.earlyLoss !== null && g?.earlyLoss != null);
  if (measured.length === 0)
    return { ...base, status: 'not-applicable', summary: 'The runs’ early losses could not be read.', table };
  const adamSpikes = measured.filter(({ a }) => spikes(spikeRatio(a)));
  const describe = ({ a, g }: SpikePair) =>
    `η ${formatEta(adam.spec, a.etaInUnits, a.etaExp)}: Adam ×${fmt(spikeRatio(a))}, ` +
    `GI-Adam ×${g ? fmt(spikeRatio(g)) : '—'}`;
  if (adamSpikes.length === 0) {
    const all = measured.map(describe).join('; ');
    return {
      ...base,
      status: 'not-applicable',
      summary: `Adam shows no initial spike at any η (${all}), so there is none to remove.`,
      table,
    };
  }
  const kept = adamSpikes.filter(({ g }) => g === null || spikes(spikeRatio(g)));
  const summary =
    kept.length === 0
      ? `Adam’s loss spikes in its first ${EARLY_STEPS} steps at ${adamSpikes.length} η and GI-Adam’s does not: ` +
        `${adamSpikes.map(describe).join('; ')}.`
      : `GI-Adam spikes too where Adam does: ${kept.map(describe).join('; ')}.`;
  return { ...base, status: kept.length === 0 ? 'pass' : 'fail', summary, table };
}
