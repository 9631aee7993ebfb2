import { TributaryError } from '../../platform/errors.js';
import { rawTopicFor } from '../cdc/changeEvents.js';
import type { ConnectorDefinition } from '../connector/connectorDefinition.js';
import { rawTopicOf } from '../runtime/pollingStream.js';
import { erpConnector } from './erpSource.js';
import { hrConnector } from './hrSource.js';
import { payrollTables } from './payroll/payrollDatabase.js';

/** Every polling source this deployment knows, by name (`tributary run producer <name>`). */
export const sourceFactories: Readonly<Record<string, (env?: NodeJS.ProcessEnv) => ConnectorDefinition>> = {
  hr: hrConnector,
  erp: erpConnector,
};

export function connectorFor(name: string, env: NodeJS.ProcessEnv = process.env): ConnectorDefinition {
  const factory = sourceFactories[name];
  if (!factory) {
    throw new TributaryError(
      'USAGE',
      `unknown source "${name}"; known: ${Object.keys(sourceFactories).join(', ')}`,
    );
  }
  return factory(env);
}

/** raw.<source>.<stream> of every stream of every known source. */
export function allRawTopics(env: NodeJS.ProcessEnv = process.env): string[] {
  const topics = new Set<string>();
  for (const name of Object.keys(sourceFactories)) {
    const definition = connectorFor(name, env);
    for (const stream of definition.streams) topics.add(rawTopicOf(definition, stream));
  }
  // CDC sources: raw.<source>.<schema>.<table>.
  for (const table of payrollTables) topics.add(rawTopicFor('payroll', table));
  return [...topics].sort();
}
