import type { Registry } from 'prom-client';
import { type Config, loadConfig } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { createMetricsRegistry } from './metrics.js';

/** What every command and role receives: parsed configuration, a logger and a metrics registry. */
export interface PlatformContext {
  config: Config;
  log: Logger;
  metrics: Registry;
}

export function createContext(env: NodeJS.ProcessEnv = process.env, name = 'tributary'): PlatformContext {
  const config = loadConfig(env);
  return { config, log: createLogger({ level: config.LOG_LEVEL, name }), metrics: createMetricsRegistry() };
}
