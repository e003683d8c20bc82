import { type ClaimId } from './findings';
import { cellCount, isRelativeGrid, SweepSpecSchema, type StudySize, type SweepSpecInput } from './sweep-spec';

/**
 * The paper's experiments as presets. A preset launches a *study*: one or more sweeps side by side (SP next
 * to μP, Adam next to GI-Adam, η_init = η_c next to η_init = 0), each with a `role`, in one of two sizes:
 *   - `paper`: the paper's own settings (PAPER.md §2–§3, §3.7), for GPU fleets. Where the paper's model is not
 *     implemented here (WRN-16-4, the Transformer LM) the Myrtle CNN of the authors' code (PAPER §3.3) stands in, and
 *     CIFAR-10 is read from `PAPER_CIFAR10_DIR` on the worker;
 *   - `cpu`: scaled (Fashion-MNIST subsets, narrow FCNs, hundreds of steps) so the whole study finishes on a 2-core
 *     machine in minutes, keeping the mechanism it reproduces. Each preset says how it was scaled.
 * The claim checks of findings/ are what each preset is for; `claims` lists the ones its results decide.
 */

/** Where `paper`-size presets expect CIFAR-10 (binary version) on a worker: mount it there (docs/WORKERS.md). */
export const PAPER_CIFAR10_DIR = '/data/cifar-10-batches-bin';

export interface PresetSweep {
  role: string;
  spec: SweepSpecInput;
}

export interface PaperPreset {
  id: string;
  title: string;
  /** The figure(s) of the paper it reproduces. */
  figure: string;
  /** What it reproduces and what to look at. */
  reproduces: string;
  /** How the `cpu` size differs from the paper's settings, and why the mechanism survives the scaling. */
  cpuScaling: string;
  claims: readonly ClaimId[];
  sizes: Record<StudySize, readonly PresetSweep[]>;
}

// ---- shared settings ----------------------------------------------------------------------------------------------

const AUTHOR = 'atlas';

/** CPU data: the first 4096 Fashion-MNIST training images and 1000 test images (per-image standardised, PAPER §3.1). */
const CPU_DATA = { name: 'fashion-mnist', trainSubset: 4096, testSubset: 1000 } as const;
/** CPU mechanism data: 512 images, trained full batch (GD), as the paper's 5k-subset FCN runs are. */
const CPU_MECH_DATA = { name: 'fashion-mnist', trainSubset: 512, testSubset: 500 } as const;
/** PAPER §3.1: the first 5000 CIFAR-10 images for the FCN mechanism runs. */
const PAPER_MECH_DATA = { name: 'cifar10', dir: PAPER_CIFAR10_DIR, trainSubset: 5000 } as const;
const PAPER_DATA = { name: 'cifar10', dir: PAPER_CIFAR10_DIR } as const;

const CPU_FCN = { kind: 'fcn', depth: 4, width: 256 } as const;
const CPU_MECH_FCN = { kind: 'fcn', depth: 4, width: 128 } as const;
const PAPER_FCN = { kind: 'fcn', depth: 4, width: 512 } as const;
/** Stand-in for WRN-16-4 (not implemented): the Myrtle CNN the authors' code also trains (PAPER §3.3). */
const PAPER_CNN = { kind: 'cnn', depth: 5, width: 64 } as const;

/** SGD heatmap grids: η = 2^x/λ0 (PAPER §2.4). */
const relGrid = (fromExp: number, toExp: number) =>
  ({ kind: 'pow2', unit: 'inv-lambda0', base: 1, fromExp, toExp, stepExp: 1 }) as const;
/** Adam grids: η = base·2^x (PAPER §2.4). */
const absGrid = (base: number, fromExp: number, toExp: number) =>
  ({ kind: 'pow2', unit: 'absolute', base, fromExp, toExp, stepExp: 1 }) as const;

/** CPU heatmap budget: 1024 steps of batch 128 (32 epochs of 4096 images); warmups up to a quarter of it. */
const CPU_STEPS = 1024;
const CPU_WARMUPS = [1, 16, 64, 256];
/** Paper heatmaps: T = 10^5 steps of batch 128 (PAPER §3.6), T_wrm powers of two up to ~5% of T (PAPER §2.5 [I]). */
const PAPER_STEPS = 100_000;
const PAPER_WARMUPS = [1, 64, 256, 1024, 4096];
/** Test metrics once per epoch at batch 128 (PAPER §9.3: 391 steps for CIFAR-10). */
const PAPER_EVAL = 391;

const cpuHeatmapMeasure = { evalEvery: 256, sharpnessEvery: 0, lambda0: true, lambda0Batches: 4 } as const;
const paperHeatmapMeasure = { evalEvery: PAPER_EVAL, sharpnessEvery: 0, lambda0: true, lambda0Batches: 10 } as const;
/** Mechanism runs: λ every step on the full batch (PAPER §4.3). */
const cpuMechMeasure = { evalEvery: 64, sharpnessEvery: 1, lambda0: true, lambda0Batches: 1 } as const;
const paperMechMeasure = { evalEvery: 100, sharpnessEvery: 1, lambda0: true, lambda0Batches: 1 } as const;

// ---- presets ------------------------------------------------------------------------------------------------------

/** Fig 1's two sweeps: SP at η = 32/λ0 and μP (with the authors' input scaling) at η = 1/λ0, GD with MSE. */
function fig1Sweeps(size: StudySize): PresetSweep[] {
  const cpu = size === 'cpu';
  const settings = [
    { role: 'sp', label: 'SP', parameterization: 'sp', exp: 5, eta: '32/λ0' },
    { role: 'mup', label: 'μP', parameterization: 'mup', exp: 0, eta: '1/λ0' },
  ] as const;
  return settings.map((x) => ({
    role: x.role,
    spec: {
      title: cpu
        ? `Fig 1 ${x.label}: FCN-4-128 GD, MSE, η = ${x.eta}`
        : `Fig 1 ${x.label}: FCN-4-512 GD, MSE, η = ${x.eta} (5k CIFAR-10)`,
      author: AUTHOR,
      model: cpu ? CPU_MECH_FCN : PAPER_FCN,
      parameterization: x.parameterization,
      loss: 'mse' as const,
      data: { ...(cpu ? CPU_MECH_DATA : PAPER_MECH_DATA), mupInputScaling: x.parameterization === 'mup' },
      optimizer: { kind: 'sgd' as const },
      batchSize: 0,
      steps: cpu ? 384 : 2048,
      etaGrid: relGrid(x.exp, x.exp),
      warmupGrid: cpu ? [1, 16, 64, 128] : [1, 64, 1024],
      measure: cpu ? cpuMechMeasure : paperMechMeasure,
    },
  }));
}

const fig1: PaperPreset = {
  id: 'fig1-mechanisms',
  title: 'Fig 1: warmup mechanisms of SGD (SP sharpness reduction, μP progressive sharpening)',
  figure: 'Fig 1',
  reproduces:
    'Full-batch GD with MSE on an FCN, λ^H every step against 2/η_t for several T_wrm. SP (η = 32/λ0): λ^H falls ' +
    'during warmup and catapults come later and smaller as T_wrm grows (C2, P6). μP (η = 1/λ0 at paper size): λ^H ' +
    'rises until it meets 2/η_t and then rides it (C1, P7).',
  cpuScaling:
    'FCN-4-128 instead of FCN-4-512; 512 Fashion-MNIST images instead of 5k CIFAR-10 images, still full batch; 384 ' +
    'steps instead of 2048 and T_wrm ∈ {1, 16, 64, 128} instead of {1, 64, 1024}. The regime is set by the ' +
    'initialisation (SP vs μP) and the loss, which are kept.',
  claims: ['P6', 'P7'],
  sizes: { cpu: fig1Sweeps('cpu'), paper: fig1Sweeps('paper') },
};

/** Fig 3's three heatmaps, with the exponents x of their η = 2^x/λ0 grids at each size. */
const heatmapSettings = [
  { role: 'sp-mse', label: 'SP + MSE', parameterization: 'sp', loss: 'mse', cpuExps: [0, 9], paperExps: [0, 9] },
  { role: 'mup-xent', label: 'μP + xent', parameterization: 'mup', loss: 'xent', cpuExps: [-7, 0], paperExps: [-4, 6] },
  { role: 'sp-xent', label: 'SP + xent', parameterization: 'sp', loss: 'xent', cpuExps: [0, 7], paperExps: [0, 9] },
] as const;

/** Fig 3's three SGD heatmaps; the CPU size has its own η ranges, in units of 1/λ0 as the paper's. */
function fig3Sweeps(size: StudySize): PresetSweep[] {
  const cpu = size === 'cpu';
  return heatmapSettings.map((s) => {
    const [fromExp, toExp] = cpu ? s.cpuExps : s.paperExps;
    return {
      role: s.role,
      spec: {
        title: cpu ? `Fig 3 ${s.label}: FCN-4-256 SGD on Fashion-MNIST` : `Fig 3 ${s.label}: CNN-5-64 SGD on CIFAR-10`,
        author: AUTHOR,
        model: cpu ? CPU_FCN : PAPER_CNN,
        parameterization: s.parameterization,
        loss: s.loss,
        data: cpu ? { ...CPU_DATA, mupInputScaling: s.parameterization === 'mup' } : PAPER_DATA,
        optimizer: { kind: 'sgd' },
        batchSize: 128,
        steps: cpu ? CPU_STEPS : PAPER_STEPS,
        etaGrid: relGrid(fromExp, toExp),
        warmupGrid: cpu ? CPU_WARMUPS : PAPER_WARMUPS,
        measure: cpu ? cpuHeatmapMeasure : paperHeatmapMeasure,
      },
    };
  });
}

const fig3: PaperPreset = {
  id: 'fig3-heatmaps',
  title: 'Fig 3: SGD heatmaps over η_trgt × T_wrm (SP + MSE, μP + xent, SP + xent)',
  figure: 'Fig 3',
  reproduces:
    'Best test accuracy over η_trgt = 2^x/λ0 × T_wrm for SGD. The largest trainable η_trgt moves right as T_wrm ' +
    'grows (P1), most for SP + MSE and least for μP + xent.',
  cpuScaling:
    'FCN-4-256 on 4096 Fashion-MNIST images (batch 128, 1024 steps = 32 epochs, T_wrm ∈ {1, 16, 64, 256}) instead of ' +
    'WRN-16-4 on CIFAR-10 for 10^5 steps; λ0 from 4 batches instead of 10. The η grid stays in units of 1/λ0, so the ' +
    'boundary is comparable across sizes (PAPER §9.7).',
  claims: ['P1'],
  sizes: { cpu: fig3Sweeps('cpu'), paper: fig3Sweeps('paper') },
};

const adamMechanisms = (size: StudySize): PresetSweep[] => {
  const cpu = size === 'cpu';
  // CPU: Fig 2's η = 0.001, and 0.01, where single CPU runs showed Adam's initial loss spike (0.43 → 11.8 at step 1)
  // that GI-Adam removes (P12); at 0.001 this small FCN does not spike.
  const settings = cpu
    ? [{ param: 'sp', etas: [0.001, 0.01] }]
    : [
        { param: 'sp', etas: [0.001] },
        { param: 'mup', etas: [0.003] },
      ];
  return settings.flatMap(({ param, etas }) => {
    const eta = etas.length === 1 ? `= ${etas[0]}` : `∈ {${etas.join(', ')}}`;
    const setup = `${param === 'sp' ? 'SP' : 'μP'}: ${cpu ? 'FCN-4-128' : 'FCN-4-512'} full batch, MSE, η ${eta}`;
    return (['adam', 'gi-adam'] as const).map((kind) => ({
      role: cpu ? kind : `${kind}-${param}`,
      spec: {
        title: `${kind === 'adam' ? 'Fig 2 Adam' : 'Fig 6 GI-Adam'} ${setup}`,
        author: AUTHOR,
        model: cpu ? CPU_MECH_FCN : PAPER_FCN,
        parameterization: param === 'sp' ? ('sp' as const) : ('mup' as const),
        loss: 'mse' as const,
        data: cpu ? CPU_MECH_DATA : { ...PAPER_MECH_DATA, mupInputScaling: param === 'mup' },
        optimizer: { kind },
        batchSize: 0,
        steps: cpu ? 160 : 2048,
        etaGrid: { kind: 'explicit' as const, values: etas },
        warmupGrid: cpu ? [1, 64] : [1, 64, 1024],
        measure: cpu ? cpuMechMeasure : paperMechMeasure,
      },
    }));
  });
};

const fig2: PaperPreset = {
  id: 'adam-mechanisms',
  title: 'Fig 2 / Fig 6: Adam vs GI-Adam mechanisms (λ^{P⁻¹H} against 38/η)',
  figure: 'Fig 2, Fig 6',
  reproduces:
    'Full-batch Adam and GI-Adam with λ^{P⁻¹H} every step. Adam starts at a huge λ^{P⁻¹H} that falls (extreme C2); ' +
    'GI-Adam starts about √(1−β2) ≈ 0.032 times lower (P12), and at T_wrm = 1 it removes the loss spike Adam’s first ' +
    'steps cause (P12).',
  cpuScaling:
    'SP only, FCN-4-128 on 512 Fashion-MNIST images (full batch), 160 steps, T_wrm ∈ {1, 64}, no augmentation; η = ' +
    '0.001 (Fig 2’s) and 0.01, where this small FCN shows Adam’s initial loss spike. The λ0^{P⁻¹H} ratio depends ' +
    'only on the first preconditioner, so it is unchanged by the scaling.',
  claims: ['P12'],
  sizes: { cpu: adamMechanisms('cpu'), paper: adamMechanisms('paper') },
};

const adamHeatmaps = (size: StudySize): PresetSweep[] =>
  (['adam', 'gi-adam'] as const).map((kind) => {
    const cpu = size === 'cpu';
    const name = kind === 'adam' ? 'Adam' : 'GI-Adam';
    return {
      role: kind,
      spec: {
        title: cpu
          ? `${name} failure boundary: FCN-4-256 SP xent on Fashion-MNIST`
          : `${name} failure boundary: CNN-5-64 SP xent on CIFAR-10`,
        author: AUTHOR,
        model: cpu ? CPU_FCN : PAPER_CNN,
        parameterization: 'sp' as const,
        loss: 'xent' as const,
        data: cpu ? CPU_DATA : PAPER_DATA,
        optimizer: { kind },
        batchSize: 128,
        steps: cpu ? CPU_STEPS : PAPER_STEPS,
        after: 'cosine' as const,
        // CPU: Adam trained up to 2^9.5·10⁻⁴ at T_wrm = 1 in single runs and failed at 2^10·10⁻⁴: half-octave steps
        // around that boundary resolve it. Paper: the authors' WRN grid, 2^x·10⁻⁵ (PAPER §8.2: x = 9…24).
        etaGrid: cpu ? { ...absGrid(1e-4, 5, 11), stepExp: 0.5 } : absGrid(1e-5, 9, 22),
        warmupGrid: cpu ? [1, 64, 256] : PAPER_WARMUPS,
        measure: cpu ? { evalEvery: 256, sharpnessEvery: 0 } : { evalEvery: PAPER_EVAL, sharpnessEvery: 0 },
      },
    };
  });

const adamHeat: PaperPreset = {
  id: 'adam-heatmaps',
  title: 'Adam vs GI-Adam heatmaps: failure boundaries (Fig 4 analogue)',
  figure: 'Fig 4, Figs 23–25',
  reproduces:
    'Adam and GI-Adam over η_trgt = base·2^x × T_wrm with cosine decay. Adam fails (loss stuck near its start) ' +
    'rather than diverging past its boundary (P9); warmup moves the boundary right (P1); GI-Adam at T_wrm = 1 ' +
    'already trains at larger η_trgt than Adam (P12).',
  cpuScaling:
    'FCN-4-256 on 4096 Fashion-MNIST images, batch 128, 1024 steps with cosine decay, T_wrm ∈ {1, 64, 256}, η = ' +
    '2^x·10⁻⁴ for x = 5, 5.5, …, 11, instead of a Transformer LM / WRN for 10^5 steps. The failure mechanism (v ' +
    'stays large after the first gradient spike) is an optimizer property and survives the scaling.',
  claims: ['P1', 'P12'],
  sizes: { cpu: adamHeatmaps('cpu'), paper: adamHeatmaps('paper') },
};

const etaCSweeps = (size: StudySize): PresetSweep[] =>
  (['critical', 'zero'] as const).map((mode) => {
    const cpu = size === 'cpu';
    return {
      role: mode,
      spec: {
        title:
          `${mode === 'critical' ? 'Warmup from η_init = η_c' : 'Warmup from η_init = 0'}: ` +
          (cpu ? 'FCN-4-256 SGD SP MSE on Fashion-MNIST' : 'CNN-5-64 SGD SP xent on CIFAR-10'),
        author: AUTHOR,
        model: cpu ? CPU_FCN : PAPER_CNN,
        parameterization: 'sp' as const,
        loss: cpu ? ('mse' as const) : ('xent' as const),
        data: cpu ? CPU_DATA : PAPER_DATA,
        optimizer: { kind: 'sgd' as const },
        batchSize: 128,
        steps: cpu ? 512 : 10_000,
        etaGrid: cpu ? relGrid(0, 6) : relGrid(0, 8),
        warmupGrid: cpu ? [16, 64, 256] : [64, 256, 1024, 4096],
        etaInit:
          mode === 'critical' ? { mode: 'critical' as const, eta0: 1e-4, delta: 0.1 } : { mode: 'zero' as const },
        measure: cpu ? { ...cpuHeatmapMeasure } : { ...paperHeatmapMeasure },
      },
    };
  });

const fig5: PaperPreset = {
  id: 'eta-c-init',
  title: 'Fig 5: warmup from η_init = η_c vs η_init = 0 (T_reach, T_save)',
  figure: 'Fig 5, Figs 27–29',
  reproduces:
    'The same grid twice: linear warmup from η_c (found by the forward-pass loss-catapult search, PAPER §6.1) and ' +
    'from 0. With η_init = η_c the target is reached at step 1 when η_trgt ≤ η_c, and after T_reach = T_wrm·(1 − ' +
    'η_c/η_trgt) < T_wrm steps otherwise (P13), without losing trainable cells.',
  cpuScaling:
    'FCN-4-256 SGD SP + MSE on 4096 Fashion-MNIST images, 512 steps, T_wrm ∈ {16, 64, 256}, instead of WRN-16-4 SP + ' +
    'xent on CIFAR-10 for 10^4 steps. η_c is a property of the initialisation and the first batch, measured the same ' +
    'way at both sizes.',
  claims: ['P13'],
  sizes: { cpu: etaCSweeps('cpu'), paper: etaCSweeps('paper') },
};

const persistentSweeps = (size: StudySize): PresetSweep[] => {
  const cpu = size === 'cpu';
  const setup = cpu ? 'FCN-4-256 SGD SP MSE on Fashion-MNIST' : 'CNN-5-64 SGD SP MSE on CIFAR-10';
  const base = {
    author: AUTHOR,
    model: cpu ? CPU_FCN : PAPER_CNN,
    parameterization: 'sp' as const,
    loss: 'mse' as const,
    data: cpu ? CPU_DATA : PAPER_DATA,
    optimizer: { kind: 'sgd' as const },
    batchSize: 128,
    steps: cpu ? CPU_STEPS : 10_000,
    etaGrid: cpu ? relGrid(2, 9) : relGrid(2, 11),
    measure: cpu ? { ...cpuHeatmapMeasure } : { ...paperHeatmapMeasure },
  };
  return [
    {
      role: 'persistent',
      spec: {
        ...base,
        title: `Persistent catapult warmup: ${setup}`,
        warmupGrid: [1],
        etaInit: { mode: 'persistent' as const, eta0: 1e-4, delta: 0.1 },
      },
    },
    {
      role: 'linear',
      spec: {
        ...base,
        title: `Linear warmup: ${setup}`,
        warmupGrid: cpu ? [1, 64, 256] : [1, 256, 1024, 4096],
      },
    },
  ];
};

const fig7: PaperPreset = {
  id: 'persistent-catapult',
  title: 'Fig 7: persistent catapult warmup vs linear warmup',
  figure: 'Fig 7',
  reproduces:
    'Algorithm 3 (no T_wrm: the rate is raised to η_uppr of a new η_c search whenever the probe loss drops below its ' +
    'reference) against linear warmups on the same η_trgt grid. The paper finds it trains larger η_trgt than linear ' +
    'warmup.',
  cpuScaling:
    'FCN-4-256 SGD SP + MSE on 4096 Fashion-MNIST images, 1024 steps, linear T_wrm ∈ {1, 64, 256}, instead of a CNN ' +
    'on CIFAR-10 for 10^4 steps.',
  claims: ['Fig7'],
  sizes: { cpu: persistentSweeps('cpu'), paper: persistentSweeps('paper') },
};

export const PAPER_PRESETS: readonly PaperPreset[] = [fig1, fig3, fig2, adamHeat, fig5, fig7];

/** How a preset is scaled at a size: its CPU-scaling note, or the paper-size note. */
export function sizeNote(preset: Pick<PaperPreset, 'cpuScaling'>, size: StudySize): string {
  return size === 'cpu'
    ? preset.cpuScaling
    : "The paper's own settings (`paper` size), with the stand-ins named in the sweep titles.";
}

export function paperPreset(id: string): PaperPreset | undefined {
  return PAPER_PRESETS.find((p) => p.id === id);
}

export interface StudyCost {
  sweeps: number;
  cells: number;
  /** Σ over cells of their training steps (plus λ0 calibration jobs, not counted). */
  cellSteps: number;
  /** Steps whose λ is measured (each costs tens of steps: ~16 Hessian-vector products). */
  sharpnessSteps: number;
}

/** Size of a preset's study: sweeps, cells and cell-steps (what the Launch page and the CLI show before launching). */
export function studyCost(preset: PaperPreset, size: StudySize): StudyCost {
  let cells = 0;
  let cellSteps = 0;
  let sharpnessSteps = 0;
  for (const s of preset.sizes[size]) {
    const spec = SweepSpecSchema.parse(s.spec);
    const n = cellCount(spec);
    cells += n;
    cellSteps += n * spec.steps;
    const every = spec.measure.sharpnessEvery;
    if (every > 0) sharpnessSteps += n * Math.ceil(spec.steps / every);
  }
  return { sweeps: preset.sizes[size].length, cells, cellSteps, sharpnessSteps };
}

/** True when some sweep of the preset needs a λ0 calibration job first. */
export function presetNeedsCalibration(preset: PaperPreset, size: StudySize): boolean {
  return preset.sizes[size].some((s) => isRelativeGrid(SweepSpecSchema.parse(s.spec)));
}
