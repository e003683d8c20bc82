import { formatZodError, InvalidRecordError, NotFoundError } from '../core/errors';
import { computeFindings, findingsCell, needsEarlyLoss, type Finding, type FindingsSweep } from '../core/findings';
import { makeStudyId, StudyIdSchema, type SweepId } from '../core/ids';
import { mapLimit } from '../core/map-limit';
import { paperPreset, sizeNote, type PaperPreset } from '../core/paper-presets';
import { StudyRecordSchema, type StudyRecord, STUDY_RECORD_SCHEMA_VERSION } from '../core/records';
import { SweepSpecSchema, type StudySize, type SweepSpec } from '../core/sweep-spec';
import { keys } from './keys';
import { nullIfCorrupt } from './record-store';
import { type SweepStore } from './sweep-store';

/**
 * Studies: the sweeps of one paper preset, launched together and read side by side by the claim checks.
 * A study is its sweeps (each naming the study in `spec.study`) plus one StudyRecord listing them by role.
 */

export class StudyNotFoundError extends NotFoundError {
  override name = 'StudyNotFoundError';
  constructor(readonly studyId: string) {
    super(`study ${studyId} not found`);
  }
}

/** The specs a preset launches at a size, each tagged with the study; all validated before anything is written. */
export function studySpecs(
  preset: PaperPreset,
  size: StudySize,
  studyId: string,
  author?: string,
): { role: string; spec: SweepSpec }[] {
  return preset.sizes[size].map(({ role, spec }, i) => {
    const input = { ...spec, ...(author ? { author } : {}), study: { id: studyId, preset: preset.id, size, role } };
    const parsed = SweepSpecSchema.safeParse(input);
    if (!parsed.success)
      throw new InvalidRecordError(
        `preset ${preset.id} (${size}), sweep ${i} (${role}):\n${formatZodError(parsed.error)}`,
      );
    return { role, spec: parsed.data };
  });
}

/**
 * Launch a preset's study: validate every sweep first (a bad one writes nothing), create the sweeps, then the study
 * record. Returns the record.
 */
export async function createStudy(
  store: SweepStore,
  presetId: string,
  size: StudySize,
  options: { author?: string; now?: number } = {},
): Promise<StudyRecord> {
  const preset = paperPreset(presetId);
  if (preset === undefined) throw new InvalidRecordError(`preset: unknown paper preset '${presetId}'`);
  return createStudyFromPreset(store, preset, size, options);
}

/** As `createStudy`, for a preset object (tests launch tiny presets of their own). */
export async function createStudyFromPreset(
  store: SweepStore,
  preset: PaperPreset,
  size: StudySize,
  options: { author?: string; now?: number } = {},
): Promise<StudyRecord> {
  const createdAt = options.now ?? store.now();
  const id = makeStudyId(createdAt);
  const specs = studySpecs(preset, size, id, options.author);
  const sweeps: StudyRecord['sweeps'] = [];
  for (const { role, spec } of specs) {
    const sweep = await store.createSweep(spec, { now: createdAt });
    sweeps.push({ role, sweepId: sweep.id });
  }
  const record: StudyRecord = {
    schemaVersion: STUDY_RECORD_SCHEMA_VERSION,
    id,
    createdAt,
    preset: preset.id,
    size,
    title: `${preset.title} (${size} size)`,
    author: options.author ?? specs[0]?.spec.author ?? 'atlas',
    about: {
      figure: preset.figure,
      reproduces: preset.reproduces,
      scaling: sizeNote(preset, size),
    },
    sweeps,
  };
  await store.write(keys.study(id), StudyRecordSchema, record, { ifAbsent: true });
  return record;
}

export async function getStudy(store: SweepStore, studyId: string): Promise<StudyRecord> {
  const id = StudyIdSchema.safeParse(studyId);
  if (!id.success) throw new StudyNotFoundError(studyId);
  const got = await store.read(keys.study(id.data), StudyRecordSchema);
  if (got === null) throw new StudyNotFoundError(studyId);
  return got.value;
}

/** One sweep as the claim checks need it: every cell's coordinates, and outcome and RunResult once finished. */
export async function readFindingsSweep(store: SweepStore, sweepId: string): Promise<FindingsSweep> {
  const status = await store.getSweepStatus(sweepId);
  const { sweep } = status;
  const cells = await mapLimit(status.cells, 16, async (c) => {
    // A corrupt result or done marker leaves the cell without a run (the checks then skip it), as on the heatmap.
    const result = c.done ? await nullIfCorrupt(store.readDoneResult(sweep.id, c.done)) : null;
    const run = result?.run ?? null;
    // Only the few cells whose early losses a check reads (full-batch Adam at T_wrm = 1) have their rows read.
    const rows =
      c.done && needsEarlyLoss(sweep.spec, c.warmupSteps)
        ? ((await nullIfCorrupt(store.readCellSeries(sweep.id, c.cellId)))?.rows ?? null)
        : null;
    // η_trgt as the cell trained: its run's config when it has one, else derived from the grid and λ0.
    const etaTrgt = run?.config.schedule.etaTrgt ?? c.etaTrgt;
    return findingsCell(c, etaTrgt, c.done?.outcome ?? null, run, rows);
  });
  return {
    sweepId: sweep.id,
    role: sweep.spec.study?.role ?? null,
    title: sweep.spec.title,
    spec: sweep.spec,
    lambda0: status.calibration?.lambda0 ?? null,
    cancelled: status.cancelled !== null,
    cells,
  };
}

export interface StudyFindings {
  /** The study the sweep belongs to (null for a sweep launched on its own, or when its study record is missing). */
  study: (StudyRecord & { sweepTitles: Record<SweepId, string> }) | null;
  findings: Finding[];
}

/** Findings of a study (all its sweeps side by side, with the preset's claims). */
export async function studyFindings(store: SweepStore, studyId: string): Promise<StudyFindings> {
  const study = await getStudy(store, studyId);
  const sweeps = await Promise.all(study.sweeps.map((s) => readFindingsSweep(store, s.sweepId)));
  const claims = paperPreset(study.preset)?.claims ?? [];
  // A study of a preset that is not in PAPER_PRESETS (a test's own) still gets every check that applies to its data.
  const sweepTitles = Object.fromEntries(sweeps.map((s) => [s.sweepId, s.title])) as Record<SweepId, string>;
  return { study: { ...study, sweepTitles }, findings: computeFindings(sweeps, claims) };
}

/**
 * Findings that involve a sweep: those of its whole study when it has one (so Adam's page shows the P12 comparison
 * with GI-Adam), else the checks that apply to the sweep alone.
 */
export async function sweepFindings(store: SweepStore, sweepId: string): Promise<StudyFindings> {
  const sweep = await store.getSweep(sweepId);
  if (sweep.spec.study) {
    try {
      const all = await studyFindings(store, sweep.spec.study.id);
      return { study: all.study, findings: all.findings.filter((f) => f.sweepIds.includes(sweep.id)) };
    } catch (e) {
      if (!(e instanceof StudyNotFoundError)) throw e;
      // The study record is written after its sweeps: until then (or if that write was lost) the sweep stands alone.
    }
  }
  return { study: null, findings: computeFindings([await readFindingsSweep(store, sweepId)]) };
}
