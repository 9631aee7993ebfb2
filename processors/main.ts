/**
 * Process entry point of `tributary run processor <map|merge>`, also spawned directly by tests:
 *   node --import tsx processors/main.ts map|merge
 * Environment: the platform settings plus PROCESSOR_GROUP_ID and PROCESSOR_SESSION_TIMEOUT_MS (tests).
 */
import { createContext } from '../platform/context.js';
import { TributaryError } from '../platform/errors.js';
import { type ProcessorName, processorNames, runProcessor } from './runProcessor.js';

const name = process.argv[2];
if (!processorNames.includes(name as ProcessorName)) {
  process.stderr.write(`usage: processors/main.ts ${processorNames.join('|')}\n`);
  process.exit(2);
}
const groupId = process.env['PROCESSOR_GROUP_ID'];
const session = process.env['PROCESSOR_SESSION_TIMEOUT_MS'];
runProcessor(createContext(process.env, `tributary-processor-${name}`), name as ProcessorName, {
  ...(groupId ? { groupId } : {}),
  ...(session ? { sessionTimeoutMs: Number(session) } : {}),
}).catch((error: unknown) => {
  const reason = error instanceof TributaryError ? `${error.code}: ${error.message}` : String(error);
  process.stderr.write(`tributary processor: ${reason}\n`);
  process.exit(1);
});
