#!/usr/bin/env node
// Runs the TypeScript CLI directly through tsx (no build step for local use; `npm run build`
// produces dist/ for images).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../platform/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
