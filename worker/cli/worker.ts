import { openBlobStore, ConfigError } from '../../server/store/env';
import { SweepStore } from '../../server/store/sweep-store';
import { parseWorkerSetup } from '../daemon/config';
import { WorkerDaemon } from '../daemon/daemon';

/**
 * `npm run worker [-- --concurrency 2 --exit-when-idle]`: a worker daemon over the configured store (the local
 * directory ATLAS_DATA_DIR, default .atlas/, or Vercel Blob when BLOB_READ_WRITE_TOKEN is set). SIGTERM/SIGINT stop
 * it cleanly: running jobs flush their last chunk and their claims are given back.
 */
async function main(): Promise<void> {
  let setup;
  try {
    setup = parseWorkerSetup(process.argv.slice(2), process.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const cwd = process.cwd();
  const store = new SweepStore(openBlobStore(setup.storeEnv, cwd));
  const daemon = new WorkerDaemon({ store, storeEnv: setup.storeEnv, config: setup.config, cwd });
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      process.stderr.write(`second ${sig}: exiting without waiting\n`);
      process.exit(130);
    }
    daemon.stop();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  await daemon.run();
}

main().catch((e: unknown) => {
  process.stderr.write(`worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
