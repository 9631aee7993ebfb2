import type { PipelineRun, StageLag } from '../../test/chaos/pipelineRun.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until a consumer stage has consumed its input: lag 0, or a small lag that no longer moves
 * (a partition written by several transactional ids can end in more than one commit marker, which
 * no consumer ever "reads"). Returns the time the stage was first seen done (ms since epoch).
 */
export async function waitForStage(
  run: PipelineRun,
  stage: keyof StageLag,
  options: { timeoutMs: number; onPoll?: (lag: StageLag) => void },
): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let stableSince: number | undefined;
  let previous = -1;
  let stablePolls = 0;
  for (;;) {
    const polledAt = Date.now();
    let lag: StageLag;
    try {
      lag = await run.lag();
    } catch {
      // A metadata hiccup (topic just created, broker busy): poll again.
      await sleep(1_000);
      continue;
    }
    options.onPoll?.(lag);
    const behind = lag[stage];
    if (behind === 0) return stableSince ?? polledAt;
    if (behind === previous && behind < 100) {
      stablePolls++;
      if (stablePolls >= 3 && stableSince !== undefined) return stableSince;
    } else {
      stableSince = polledAt;
      stablePolls = 0;
    }
    previous = behind;
    if (Date.now() > deadline) throw new Error(`${stage} did not drain in time (lag ${behind})`);
    await sleep(500);
  }
}
