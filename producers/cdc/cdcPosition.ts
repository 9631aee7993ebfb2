import { z } from 'zod/v4';
import { TributaryError } from '../../platform/errors.js';
import type { SourceState } from '../runtime/sourceState.js';

/**
 * The CDC stream's position inside the shared source state: `lsn` is the end LSN of the last
 * source transaction committed to Kafka (or the slot's consistent point after the snapshot).
 * A transaction ending at or before it is already in Kafka and is skipped when PostgreSQL sends
 * it again (after a crash between the Kafka commit and the slot acknowledgement).
 */
export const cdcPositionSchema = z.object({
  phase: z.enum(['snapshot', 'streaming']),
  slot: z.string(),
  lsn: z.string().regex(/^[0-9A-F]+\/[0-9A-F]+$/),
  snapshotLsn: z.string(),
});

export type CdcPosition = z.output<typeof cdcPositionSchema>;

export function cdcPositionOf(state: SourceState | undefined): CdcPosition | undefined {
  if (!state) return undefined;
  const result = cdcPositionSchema.safeParse(state.position);
  if (!result.success) {
    throw new TributaryError(
      'VALIDATION_FAILED',
      `CDC source state is not a CDC position: ${result.error.message}`,
    );
  }
  return result.data;
}
