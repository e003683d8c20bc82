import { runTrainCli } from './train-cli';

// Entry of `npm run train`: wires the process to the CLI. Ctrl-C once cancels the run (rows so far are kept and the
// summary printed); twice exits at once.
const abort = new AbortController();
process.on('SIGINT', () => {
  if (abort.signal.aborted) process.exit(130);
  abort.abort();
});

process.exitCode = await runTrainCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: abort.signal,
});
