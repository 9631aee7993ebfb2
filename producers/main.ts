/**
 * Process entry point of `tributary run producer <source>`, also spawned directly by tests:
 *   node --import tsx producers/main.ts <source> [stream,stream]
 */
import { createContext } from '../platform/context.js';
import { TributaryError } from '../platform/errors.js';
import { runProducer } from './runtime/runProducer.js';

const source = process.argv[2];
if (!source) {
  process.stderr.write('usage: producers/main.ts <source> [streams]\n');
  process.exit(2);
}
const streams = process.argv[3]?.split(',').filter(Boolean);
runProducer(createContext(process.env, `tributary-producer-${source}`), {
  source,
  ...(streams ? { streams } : {}),
}).catch((error: unknown) => {
  const reason = error instanceof TributaryError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`tributary producer: ${reason}\n`);
  process.exit(1);
});
