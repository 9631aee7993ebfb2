import { z } from 'zod/v4';
import { TributaryError } from '../../../platform/errors.js';
import { apiKeyAuthSchema, oauth2AuthSchema } from '../simulatorAuth.js';
import { commonOptionsShape, parseSimulatorOptions } from '../simulatorOptions.js';
import { type HrResourceName, hrResourceNames } from './hrRecords.js';
import type { HrCounts } from './hrResources.js';

export const hrSimulatorOptionsSchema = z
  .object({
    ...commonOptionsShape,
    /** OAuth2 client credentials (POST /oauth/token) or an API key header. @default { kind: 'oauth2' } */
    auth: z.discriminatedUnion('kind', [oauth2AuthSchema, apiKeyAuthSchema]).prefault({ kind: 'oauth2' }),
  })
  .strict();

/** All optional; see the schema for defaults. */
export type HrSimulatorOptionsInput = z.input<typeof hrSimulatorOptionsSchema>;
export type HrSimulatorOptions = z.output<typeof hrSimulatorOptionsSchema> & {
  readonly resolvedCounts: HrCounts;
};

export function resolveHrSimulatorOptions(input: HrSimulatorOptionsInput = {}): HrSimulatorOptions {
  const options = parseSimulatorOptions(hrSimulatorOptionsSchema, input, 'HR simulator');
  for (const name of Object.keys(options.counts)) {
    if (!hrResourceNames.includes(name as HrResourceName)) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `invalid HR simulator options: counts.${name}: unknown resource (known: ${hrResourceNames.join(', ')})`,
      );
    }
  }
  if (
    options.churn?.resource !== undefined &&
    !hrResourceNames.includes(options.churn.resource as HrResourceName)
  ) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `invalid HR simulator options: churn.resource: unknown resource`,
    );
  }
  const derived = (divisor: number): number =>
    options.records === 0 ? 0 : Math.max(5, Math.ceil(options.records / divisor));
  return {
    ...options,
    resolvedCounts: {
      workers: options.counts['workers'] ?? options.records,
      orgUnits: options.counts['orgUnits'] ?? derived(20),
      jobs: options.counts['jobs'] ?? derived(50),
    },
  };
}
