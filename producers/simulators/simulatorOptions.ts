import { z } from 'zod/v4';
import { describeIssues } from '../../platform/config.js';
import { TributaryError } from '../../platform/errors.js';
import { faultsSchema } from './faultInjector.js';

/** Automatic changes while clients page: every `everyRequests` served data pages, mutate `count` records. */
export const churnSchema = z
  .object({
    everyRequests: z.number().int().min(1),
    count: z.number().int().min(1).max(10_000),
    /** Resource to change. @default the simulator's primary resource */
    resource: z.string().optional(),
    /** Give every record of one churn step the same change time. @default false */
    sameTimestamp: z.boolean().default(false),
  })
  .strict();

/** Options every simulator shares. */
export const commonOptionsShape = {
  /** Seed of the generated data; the same seed always yields the same records. @default 1 */
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /** Records of each primary resource; reference resources are sized from it. @default 1000 */
  records: z.number().int().min(0).max(1_000_000).default(1000),
  /** Exact record counts per resource name, overriding the sizes derived from `records`. */
  counts: z.record(z.string(), z.number().int().min(0).max(1_000_000)).default({}),
  /** Page size when the client names none. @default 100 */
  defaultPageSize: z.number().int().min(1).max(10_000).default(100),
  /** Largest page a client may ask for; larger requests are capped (OData) or rejected (HR). @default 1000 */
  maxPageSize: z.number().int().min(1).max(100_000).default(1000),
  faults: faultsSchema.default({}),
  churn: churnSchema.optional(),
};

export type Churn = z.output<typeof churnSchema>;

/** Parses options with a schema; every problem is reported at once, each naming its field. */
export function parseSimulatorOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  name: string,
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new TributaryError(
      'CONFIG_INVALID',
      `invalid ${name} options: ${describeIssues(result.error.issues)}`,
      {
        details: { fields: result.error.issues.map((issue) => issue.path.join('.')) },
      },
    );
  }
  return result.data;
}

/** A mutation request (method argument and POST /_admin/mutate body). */
export const mutationSchema = z
  .object({
    /** Resource to change. @default the simulator's primary resource */
    resource: z.string().optional(),
    /** Records to change, split about 60% updates, 25% creates, 15% deletes. Ignored when explicit counts or ids are given. */
    count: z.number().int().min(0).max(100_000).optional(),
    updates: z.number().int().min(0).max(100_000).optional(),
    creates: z.number().int().min(0).max(100_000).optional(),
    deletes: z.number().int().min(0).max(100_000).optional(),
    /** Update exactly these records (e.g. the one on a page boundary), before any random changes. */
    updateIds: z.array(z.string()).max(100_000).optional(),
    /** Delete exactly these records, after the random updates and creates. */
    deleteIds: z.array(z.string()).max(100_000).optional(),
    /** Every change of this call gets one identical change time (a tie at the cursor boundary). @default false */
    sameTimestamp: z.boolean().default(false),
    /**
     * Stamp the changes this many ms before the simulator's change clock: a late-visible write that
     * lands behind a cursor that already moved on (what a lookback window is for). @default 0
     */
    backdateMs: z
      .number()
      .int()
      .min(0)
      .max(365 * 86_400_000)
      .default(0),
  })
  .strict();

export type MutationInput = z.input<typeof mutationSchema>;
export type Mutation = z.output<typeof mutationSchema>;

export interface MutationChange {
  readonly id: string;
  readonly op: 'update' | 'create' | 'delete';
  /** Change time, ISO 8601 UTC. */
  readonly at: string;
}

export interface MutationResult {
  readonly resource: string;
  readonly changes: readonly MutationChange[];
}
