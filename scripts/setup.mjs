#!/usr/bin/env node
// Installs what the project needs from Debian when it is missing, so that the README's two commands work on a
// fresh Debian 12 machine. Idempotent and quick when everything is present. Usage:
//   node scripts/setup.mjs [--for start|test|all]
// Each need names the Debian package, the file that proves it is installed, and who needs it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const NEEDS = [
  {
    pkg: 'dataset-fashion-mnist',
    proof: '/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz',
    for: ['start', 'test'],
    why: 'Fashion-MNIST for the demo sweep and the data-loader tests',
  },
  {
    pkg: 'chromium',
    proof: '/usr/bin/chromium',
    for: ['test'],
    why: 'the browser the Playwright tests drive',
  },
  {
    pkg: 'libopenblas-dev',
    proof: '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h',
    altProofs: ['/usr/include/openblas/cblas.h', '/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/cblas.h'],
    for: ['start', 'test'],
    optional: true,
    why: 'OpenBLAS for the optional native CPU backend (training falls back to wasm without it)',
  },
];

const arg = process.argv.indexOf('--for');
const purpose = arg >= 0 ? (process.argv[arg + 1] ?? 'all') : 'all';
const wanted = NEEDS.filter((n) => purpose === 'all' || n.for.includes(purpose));
const present = (n) => [n.proof, ...(n.altProofs ?? [])].some((p) => existsSync(p));
const missing = wanted.filter((n) => !present(n));

function apt(args) {
  const r = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status === 0;
}

if (missing.length > 0) {
  console.log(`[setup] installing from Debian: ${missing.map((n) => `${n.pkg} (${n.why})`).join('; ')}`);
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const hasApt = spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status === 0;
  if (!isRoot || !hasApt) {
    const how = `apt-get install -y ${missing.map((n) => n.pkg).join(' ')}`;
    const required = missing.filter((n) => !n.optional);
    console.error(`[setup] cannot install packages here (${!hasApt ? 'no apt-get' : 'not root'}). Run as root: ${how}`);
    if (required.length > 0) process.exit(1);
  } else {
    // Try without refreshing the package lists first; refresh once if that fails (fresh machines have none).
    const names = missing.map((n) => n.pkg);
    const ok =
      apt(['install', '-y', '--no-install-recommends', ...names]) ||
      (apt(['update']) && apt(['install', '-y', '--no-install-recommends', ...names]));
    const still = missing.filter((n) => !present(n));
    for (const n of still) {
      const msg = `[setup] ${n.pkg} is still missing after apt-get (${ok ? 'install reported success' : 'install failed'}); needed for ${n.why}.`;
      if (n.optional) console.warn(`${msg} Continuing without it.`);
      else {
        console.error(msg);
        process.exit(1);
      }
    }
  }
}

// The native OpenBLAS addon is built explicitly here (npm blocks dependency install scripts by default, and this is
// our own code): when its sources and OpenBLAS are present and the build output is missing or older than the sources.
if (existsSync('worker/native/binding.gyp') && existsSync('scripts/build-native.mjs')) {
  try {
    execFileSync(process.execPath, ['scripts/build-native.mjs'], { stdio: 'inherit' });
  } catch {
    console.warn('[setup] the native backend did not build; training will use the wasm backend.');
  }
}
