#!/usr/bin/env node
// Builds the optional atlas-native addon (worker/native: N-API over OpenBLAS) with node-gyp, explicitly — npm 11
// blocks dependency install scripts by default, so this runs from scripts/setup.mjs (`npm run setup`, pretest,
// prestart) rather than from an install hook. It builds only when OpenBLAS's headers, a C++ compiler, make and Node's
// headers are all on this machine, and only when the addon is missing or older than its sources. Anything missing:
// one line saying what, exit 0 (training then uses the wasm backend). Usage:
//   node scripts/build-native.mjs [--force] [--quiet]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = path.join(root, 'worker', 'native');
const output = path.join(nativeDir, 'build', 'Release', 'atlas_native.node');
const logFile = path.join(nativeDir, 'build', 'build.log');
const force = process.argv.includes('--force');
const quiet = process.argv.includes('--quiet');

const say = (msg) => {
  if (!quiet) console.log(`[build-native] ${msg}`);
};
const skip = (why) => {
  console.log(`[build-native] not building the atlas-native backend: ${why}; training will use wasm.`);
  process.exit(0);
};

const onPath = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;

// The directory of an OpenBLAS cblas.h (the reference BLAS's cblas.h lacks openblas_set_num_threads).
function findOpenblasInclude() {
  const candidates = [
    '/usr/include/x86_64-linux-gnu/openblas-pthread',
    '/usr/include/aarch64-linux-gnu/openblas-pthread',
    '/usr/include/x86_64-linux-gnu/openblas-openmp',
    '/usr/include/openblas',
    '/usr/local/include',
    '/usr/include/x86_64-linux-gnu',
    '/usr/include',
  ];
  for (const dir of candidates) {
    const header = path.join(dir, 'cblas.h');
    if (existsSync(header) && readFileSync(header, 'utf8').includes('openblas_set_num_threads')) return dir;
  }
  return null;
}

function findOpenblasLibrary() {
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
  return dirs.some((d) => existsSync(path.join(d, 'libopenblas.so')));
}

// npm sets npm_config_node_gyp to its bundled node-gyp when it runs a script; otherwise look next to this node.
function findNodeGyp() {
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(
      path.dirname(process.execPath),
      '..',
      'lib',
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/share/nodejs/node-gyp/bin/node-gyp.js',
  ];
  return candidates.find((c) => typeof c === 'string' && c.length > 0 && existsSync(c)) ?? null;
}

// Node's own headers on this machine, so node-gyp never tries to download them (there is no network for that).
function findNodeDir() {
  const prefixes = [path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'];
  return prefixes.find((p) => existsSync(path.join(p, 'include', 'node', 'node_api.h'))) ?? null;
}

function newestSourceMtime() {
  const files = [path.join(nativeDir, 'binding.gyp'), fileURLToPath(import.meta.url)];
  for (const f of readdirSync(path.join(nativeDir, 'src'))) files.push(path.join(nativeDir, 'src', f));
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

if (!existsSync(path.join(nativeDir, 'binding.gyp'))) skip('worker/native/binding.gyp is missing');

if (!force && existsSync(output) && statSync(output).mtimeMs >= newestSourceMtime()) {
  say('atlas-native addon is up to date.');
  process.exit(0);
}

const include = findOpenblasInclude();
if (include === null) skip('OpenBLAS headers not found (apt-get install libopenblas-dev)');
if (!findOpenblasLibrary()) skip('libopenblas.so not found (apt-get install libopenblas-dev)');
if (!onPath('c++') && !onPath('g++')) skip('no C++ compiler (apt-get install g++)');
if (!onPath('make')) skip('no make (apt-get install make)');
const nodeGyp = findNodeGyp();
if (nodeGyp === null) skip("node-gyp not found (it ships with npm; is npm's bundled copy missing?)");
const nodeDir = findNodeDir();
if (nodeDir === null) skip("Node's headers (include/node/node_api.h) are not installed next to this node");

say(`building worker/native (OpenBLAS headers in ${include}) ...`);
const started = Date.now();
const r = spawnSync(
  process.execPath,
  [nodeGyp, 'rebuild', `--nodedir=${nodeDir}`, '--', `-Dopenblas_include=${include}`],
  { cwd: nativeDir, encoding: 'utf8', env: { ...process.env, npm_config_nodedir: nodeDir } },
);
mkdirSync(path.dirname(logFile), { recursive: true });
writeFileSync(logFile, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
if (r.status !== 0 || !existsSync(output)) {
  skip(`node-gyp failed (exit ${r.status ?? r.signal}; see ${path.relative(root, logFile)})`);
}

// Prove the addon loads (its libopenblas.so.0 resolves) and computes one known product before reporting success.
const probe = spawnSync(
  process.execPath,
  [
    '-e',
    `const a = require(${JSON.stringify(output)}); const c = new Float32Array(1);
     a.matmul(new Float32Array([1, 2]), new Float32Array([3, 4]), c, 1, 1, 1, 1, 2, false, false);
     if (c[0] !== 11) { console.error('1*3 + 2*4 gave ' + c[0]); process.exit(1); }
     console.log(a.info().config);`,
  ],
  { encoding: 'utf8' },
);
if (probe.status !== 0) skip(`the built addon does not load or compute: ${(probe.stderr ?? '').trim().split('\n')[0]}`);
say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s against ${probe.stdout.trim()}.`);
