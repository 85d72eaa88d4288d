#!/usr/bin/env node
import { runCli } from './cli/program';

runCli(process.argv).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`trackbase: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
