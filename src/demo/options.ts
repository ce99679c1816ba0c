/**
 * What a rehearsal is asked to do: its steps and options. The command line's flags become these
 * in src/cli/demo-options.ts.
 */

/** The rehearsal steps, in the order they run. */
export const STEPS = ['migrate', 'failover', 'smigrate', 'moving-ip', 'moving-fqdn', 'moving-none', 'moving-slow', 'moving-unreachable'] as const;
export type StepName = (typeof STEPS)[number];

export interface DemoOptions {
  /** Seconds the rehearsal aims to take (steady phases included). */
  durationS: number;
  steps: StepName[];
  /** Target commands per second of the read/write load. */
  rate: number;
  keepRunning: boolean;
  json: boolean;
  /** Write the HTML report here. */
  report: string | undefined;
  /** undefined: 9464 when free, else a free port. */
  metricsPort: number | undefined;
  /** Rehearse against this Redis instead of starting a redis-server. */
  redisUrl: string | undefined;
}

export const MIN_DURATION_S = 8;
