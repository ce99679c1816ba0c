/** What a soak is asked to do; the command line's flags become this in src/cli/soak-options.ts. */

export interface SoakOptions {
  /** Seconds of load and events. */
  durationS: number;
  /** Seeds the event order; printed, so a failing run can be repeated. */
  seed: number;
  json: boolean;
  /** Soak in front of this Redis instead of starting a redis-server. */
  redisUrl: string | undefined;
}

export const DEFAULT_DURATION_S = 600;
export const MIN_SOAK_DURATION_S = 10;
