import { z } from 'zod/v4';
import { TributaryError } from '../../../platform/errors.js';
import { apiKeyAuthSchema, basicAuthSchema } from '../simulatorAuth.js';
import { commonOptionsShape, parseSimulatorOptions } from '../simulatorOptions.js';
import { type ErpResourceName, erpResourceNames } from './erpRecords.js';
import type { ErpCounts } from './erpResources.js';
import { exchangeRateCurrencies, exchangeRateMonths } from './erpResources.js';

export const erpSimulatorOptionsSchema = z
  .object({
    ...commonOptionsShape,
    /** HTTP Basic or an API key header. @default { kind: 'basic' } */
    auth: z.discriminatedUnion('kind', [basicAuthSchema, apiKeyAuthSchema]).prefault({ kind: 'basic' }),
  })
  .strict();

/** All optional; see the schema for defaults. */
export type ErpSimulatorOptionsInput = z.input<typeof erpSimulatorOptionsSchema>;
export type ErpSimulatorOptions = z.output<typeof erpSimulatorOptionsSchema> & {
  readonly resolvedCounts: ErpCounts;
};

export function resolveErpSimulatorOptions(input: ErpSimulatorOptionsInput = {}): ErpSimulatorOptions {
  const options = parseSimulatorOptions(erpSimulatorOptionsSchema, input, 'ERP simulator');
  const known = (name: string): boolean => erpResourceNames.includes(name as ErpResourceName);
  for (const name of Object.keys(options.counts)) {
    if (!known(name)) {
      throw new TributaryError(
        'CONFIG_INVALID',
        `invalid ERP simulator options: counts.${name}: unknown resource (known: ${erpResourceNames.join(', ')})`,
      );
    }
  }
  if (options.churn?.resource !== undefined && !known(options.churn.resource)) {
    throw new TributaryError(
      'CONFIG_INVALID',
      'invalid ERP simulator options: churn.resource: unknown resource',
    );
  }
  const derived = (divisor: number): number =>
    options.records === 0 ? 0 : Math.max(5, Math.ceil(options.records / divisor));
  return {
    ...options,
    resolvedCounts: {
      vendors: options.counts['vendors'] ?? options.records,
      invoices: options.counts['invoices'] ?? options.records,
      costCenters: options.counts['costCenters'] ?? derived(20),
      glAccounts: options.counts['glAccounts'] ?? derived(100),
      exchangeRates:
        options.counts['exchangeRates'] ??
        (options.records === 0 ? 0 : exchangeRateMonths * exchangeRateCurrencies.length),
    },
  };
}
