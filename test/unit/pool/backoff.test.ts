import { describe, expect, it } from 'vitest';
import { HookChain, type ReconnectAttemptEvent } from '../../../src/hooks/index.js';
import { exponentialBackoff, retryWithBackoff } from '../../../src/pool/index.js';

describe('exponentialBackoff', () => {
  it('doubles from initialDelay, capped at maxDelay, jittered within the upper half', () => {
    const low = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: Infinity }, () => 0);
    const high = exponentialBackoff({ initialDelay: 100, maxDelay: 1000, maxAttempts: Infinity }, () => 0.999999);
    expect([1, 2, 3, 4, 5, 6].map((a) => low(a, undefined))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map((a) => high(a, undefined))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('gives up after maxAttempts', () => {
    const strategy = exponentialBackoff({ initialDelay: 10, maxDelay: 10, maxAttempts: 2 });
    expect(strategy(2, undefined)).not.toBe(false);
    expect(strategy(3, undefined)).toBe(false);
  });

  it('does not overflow for very high attempt numbers', () => {
    expect(exponentialBackoff({ initialDelay: 50, maxDelay: 2000, maxAttempts: Infinity }, () => 0.5)(10_000, undefined)).toBe(1500);
  });
});

describe('retryWithBackoff', () => {
  const endpoint = { host: '127.0.0.1', port: 1 };
  const quick = () => 1;

  it('retries until a try succeeds, reporting each attempt with the previous failure as cause', async () => {
    const events: ReconnectAttemptEvent[] = [];
    const hooks = new HookChain([{ onReconnectAttempt: (e) => events.push(e) }], () => undefined);
    const first = new Error('lost');
    let tries = 0;
    const outcome = await retryWithBackoff({
      strategy: quick, cause: first, signal: new AbortController().signal, hooks, role: 'shared', endpoint,
      attempt: async () => {
        if (++tries < 3) throw new Error(`try ${tries}`);
        return 'connected';
      },
    });
    expect(outcome).toEqual({ ok: true, value: 'connected' });
    expect(events.map((e) => [e.attempt, e.cause?.message])).toEqual([[1, 'lost'], [2, 'try 1'], [3, 'try 2']]);
  });

  it('gives up when the strategy says so, with the number of attempts made and the last cause', async () => {
    const outcome = await retryWithBackoff({
      strategy: (attempt) => (attempt > 2 ? false : 1), cause: undefined, signal: new AbortController().signal,
      hooks: new HookChain([], () => undefined), role: 'pubsub', endpoint,
      attempt: async () => {
        throw new Error('still down');
      },
    });
    expect(outcome).toMatchObject({ ok: false, stopped: false, attempts: 2, cause: { message: 'still down' } });
  });

  it('an abort during the wait ends the loop at once, without another try', async () => {
    const stop = new AbortController();
    let tries = 0;
    const started = Date.now();
    const pending = retryWithBackoff({
      strategy: () => 60_000, cause: undefined, signal: stop.signal, hooks: new HookChain([], () => undefined), role: 'shared', endpoint,
      attempt: async () => void tries++,
    });
    stop.abort();
    expect(await pending).toMatchObject({ ok: false, stopped: true, attempts: 1 });
    expect(tries).toBe(0);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
