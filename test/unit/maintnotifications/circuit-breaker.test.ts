import { describe, expect, it } from 'vitest';
import { CircuitBreaker, CircuitBreakers, type BreakerChangeReason, type BreakerState } from '../../../src/maintnotifications/circuit-breaker.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function setup(overrides: { failureThreshold?: number; resetTimeout?: number; maxRequests?: number } = {}) {
  const time = clock();
  const changes: Array<[BreakerState, BreakerState, BreakerChangeReason]> = [];
  const breaker = new CircuitBreaker(
    '10.0.0.1:6379',
    { failureThreshold: 5, resetTimeout: 60_000, maxRequests: 3, now: time.now, ...overrides },
    (from, to, _breaker, reason) => changes.push([from, to, reason]),
  );
  const fail = (n: number) => {
    for (let i = 0; i < n; i++) breaker.recordFailure();
  };
  const succeed = (n: number) => {
    for (let i = 0; i < n; i++) breaker.recordSuccess();
  };
  return { breaker, time, changes, fail, succeed };
}

describe('CircuitBreaker', () => {
  it('starts closed and admits attempts', () => {
    const { breaker, changes } = setup();
    expect(breaker.state).toBe('closed');
    expect(breaker.acquire()).toBe('admitted');
    expect(breaker.acquire()).toBe('admitted');
    expect(breaker.stats()).toEqual({
      endpoint: '10.0.0.1:6379', state: 'closed', failures: 0, successes: 0, requests: 2, lastFailureTime: undefined, lastSuccessTime: undefined,
    });
    expect(changes).toEqual([]);
  });

  it('opens after failureThreshold consecutive failures, and refuses while open', () => {
    const { breaker, fail, time } = setup();
    fail(4);
    expect(breaker.state).toBe('closed');
    fail(1);
    expect(breaker.state).toBe('open');
    expect(breaker.acquire()).toBe('refused');
    time.advance(59_999);
    expect(breaker.acquire()).toBe('refused');
    expect(breaker.stats()).toMatchObject({ state: 'open', failures: 5, lastFailureTime: 1_000_000 });
  });

  it('a success while closed restarts the failure count', () => {
    const { breaker, fail } = setup();
    fail(4);
    breaker.recordSuccess();
    fail(4);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().failures).toBe(4);
  });

  it('reaches half-open after resetTimeout, visible in state and stats', () => {
    const { breaker, fail, time } = setup();
    fail(5);
    time.advance(60_000);
    expect(breaker.stats().state).toBe('half-open');
    expect(breaker.state).toBe('half-open');
  });

  it('reaches half-open through acquire and admits at most maxRequests trials', () => {
    const { breaker, fail, time } = setup();
    fail(5);
    time.advance(60_000);
    expect([1, 2, 3, 4].map(() => breaker.acquire())).toEqual(['admitted', 'admitted', 'admitted', 'wait']);
    expect(breaker.stats()).toMatchObject({ state: 'half-open', requests: 3 });
  });

  it('closes after maxRequests successes in half-open', () => {
    const { breaker, fail, succeed, time } = setup();
    fail(5);
    time.advance(60_000);
    succeed(2);
    expect(breaker.state).toBe('half-open');
    succeed(1);
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 0, successes: 0, lastSuccessTime: 1_060_000 });
    expect(breaker.acquire()).toBe('admitted');
  });

  it('a failure in half-open reopens it and restarts the reset timeout', () => {
    const { breaker, fail, succeed, time } = setup();
    fail(5);
    time.advance(60_000);
    succeed(2);
    fail(1);
    expect(breaker.state).toBe('open');
    time.advance(59_999);
    expect(breaker.acquire()).toBe('refused');
    time.advance(1);
    expect(breaker.acquire()).toBe('admitted');
  });

  it('reports every transition once, in order', () => {
    const { breaker, fail, succeed, time, changes } = setup();
    fail(7);
    time.advance(60_000);
    void breaker.state;
    void breaker.stats();
    succeed(3);
    expect(changes).toEqual([['closed', 'open', 'failure-threshold'], ['open', 'half-open', 'reset-timeout'], ['half-open', 'closed', 'trials-succeeded']]);
  });

  it('ignores late results while open, apart from their time', () => {
    const { breaker, fail, succeed, time, changes } = setup();
    fail(5);
    time.advance(10);
    succeed(3);
    expect(breaker.stats()).toMatchObject({ state: 'open', successes: 0, lastSuccessTime: 1_000_010 });
    expect(changes).toHaveLength(1);
  });

  it('starts a new round of trials when the admitted ones never report back', () => {
    const { breaker, fail, time } = setup({ maxRequests: 1 });
    fail(5);
    time.advance(60_000);
    expect(breaker.acquire()).toBe('admitted');
    expect(breaker.acquire()).toBe('wait');
    time.advance(60_000);
    expect(breaker.acquire()).toBe('admitted');
    expect(breaker.state).toBe('half-open');
  });

  it('resetTimeout 0 moves straight to half-open', () => {
    const { breaker, fail } = setup({ resetTimeout: 0 });
    fail(5);
    expect(breaker.state).toBe('half-open');
  });

  it('reset closes it and zeroes the counters', () => {
    const { breaker, fail, changes } = setup();
    fail(5);
    breaker.reset();
    expect(breaker.stats()).toMatchObject({ state: 'closed', failures: 0, successes: 0, requests: 0 });
    expect(changes).toEqual([['closed', 'open', 'failure-threshold'], ['open', 'closed', 'reset']]);
    breaker.reset();
    expect(changes).toHaveLength(2);
  });

  it('a throwing listener does not break the breaker', () => {
    const time = clock();
    let calls = 0;
    const breaker = new CircuitBreaker('h:1', { failureThreshold: 1, resetTimeout: 10, maxRequests: 1, now: time.now }, () => {
      calls++;
      throw new Error('listener bug');
    });
    expect(() => breaker.recordFailure()).not.toThrow();
    expect(breaker.state).toBe('open');
    time.advance(10);
    expect(breaker.acquire()).toBe('admitted');
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(calls).toBe(3);
  });
});

describe('CircuitBreakers', () => {
  function registry(idleMs?: number) {
    const time = clock();
    const changes: string[] = [];
    const breakers = new CircuitBreakers(
      { failureThreshold: 1, resetTimeout: 5_000, maxRequests: 1, now: time.now, ...(idleMs === undefined ? {} : { idleMs }) },
      (from, to, breaker) => changes.push(`${breaker.endpoint} ${from}>${to}`),
    );
    return { breakers, time, changes };
  }

  it('creates one breaker per endpoint, on demand, with the shared options and listener', () => {
    const { breakers, changes } = registry();
    const a = breakers.get('a:1');
    expect(breakers.get('a:1')).toBe(a);
    expect(breakers.get('b:1')).not.toBe(a);
    a.recordFailure();
    expect(changes).toEqual(['a:1 closed>open']);
    expect(breakers.stats().map((s) => [s.endpoint, s.state])).toEqual([['a:1', 'open'], ['b:1', 'closed']]);
  });

  it('reset closes every breaker and forgets them', () => {
    const { breakers, changes } = registry();
    const a = breakers.get('a:1');
    a.recordFailure();
    breakers.reset();
    expect(changes).toEqual(['a:1 closed>open', 'a:1 open>closed']);
    expect(breakers.stats()).toEqual([]);
    expect(breakers.get('a:1')).not.toBe(a);
  });

  it('forgets breakers unused for idleMs, on get and on stats', () => {
    const { breakers, time } = registry(1_000);
    breakers.get('a:1').acquire();
    time.advance(500);
    breakers.get('b:1').acquire();
    time.advance(500);
    expect(breakers.stats().map((s) => s.endpoint)).toEqual(['b:1']);
    time.advance(500);
    breakers.get('c:1');
    expect(breakers.stats().map((s) => s.endpoint)).toEqual(['c:1']);
  });

  it('keeps an idle open breaker until its reset timeout has passed', () => {
    const { breakers, time } = registry(1_000);
    const a = breakers.get('a:1');
    a.recordFailure();
    time.advance(4_999);
    expect(breakers.get('a:1')).toBe(a);
    expect(breakers.get('a:1').acquire()).toBe('refused');
    time.advance(5_000);
    expect(breakers.stats()).toEqual([]);
  });

  it('defaults idleMs to 30 minutes', () => {
    const { breakers, time } = registry();
    breakers.get('a:1').acquire();
    time.advance(30 * 60_000 - 1);
    expect(breakers.stats()).toHaveLength(1);
    time.advance(1);
    expect(breakers.stats()).toHaveLength(0);
  });
});

describe('CircuitBreaker: a MOVING\'s trial dial while open', () => {
  const A = '10.0.0.9:6379';
  const B = '10.0.0.8:6379';
  const open = () => {
    const s = setup();
    s.fail(5);
    expect(s.breaker.state).toBe('open');
    return s;
  };

  it('a MOVING not yet trialled half-opens the breaker at once for one trial; the others wait; its success closes it', () => {
    const { breaker, changes } = open();
    expect(breaker.acquire()).toBe('refused');
    expect(breaker.acquire({ source: A, seq: 7 })).toBe('admitted');
    expect(breaker.stats()).toMatchObject({ state: 'half-open', requests: 1 });
    // The other connections' handoffs for the same MOVING, and a newer one, wait for its outcome.
    expect(breaker.acquire({ source: A, seq: 7 })).toBe('wait');
    expect(breaker.acquire({ source: A, seq: 8 })).toBe('wait');
    expect(breaker.acquire({ source: A, seq: 7 })).toBe('wait');
    breaker.recordSuccess(breaker.phase);
    expect(breaker.state).toBe('closed');
    expect([breaker.acquire({ source: A, seq: 7 }), breaker.acquire()]).toEqual(['admitted', 'admitted']);
    expect(changes).toEqual([['closed', 'open', 'failure-threshold'], ['open', 'half-open', 'trial-dial'], ['half-open', 'closed', 'trials-succeeded']]);
  });

  it('a failed trial re-opens it: that MOVING is refused from then on, a newer one gets its own trial', () => {
    const { breaker, changes } = open();
    expect(breaker.acquire({ source: A, seq: 7 })).toBe('admitted');
    breaker.recordFailure(breaker.phase);
    expect(breaker.state).toBe('open');
    expect(breaker.acquire({ source: A, seq: 7 })).toBe('refused');
    expect(breaker.acquire({ source: A, seq: 6 })).toBe('refused');
    expect(breaker.acquire({ source: A, seq: 8 })).toBe('admitted');
    expect(changes).toEqual([
      ['closed', 'open', 'failure-threshold'], ['open', 'half-open', 'trial-dial'], ['half-open', 'open', 'trial-failed'], ['open', 'half-open', 'trial-dial'],
    ]);
  });

  it('a flood of the same MOVING admits exactly one trial, however it ends', () => {
    const { breaker } = open();
    const flood = (n: number) => Array.from({ length: n }, () => breaker.acquire({ source: A, seq: 42 }));
    const first = flood(10_000);
    expect(first.filter((a) => a === 'admitted')).toHaveLength(1);
    expect(first.filter((a) => a === 'wait')).toHaveLength(9_999);
    breaker.recordFailure(breaker.phase);
    expect(flood(10_000).every((a) => a === 'refused')).toBe(true);
    expect(breaker.stats()).toMatchObject({ state: 'open', requests: 0 });
  });

  it('the MOVING whose dials opened it still gets one trial (its first retry)', () => {
    const { breaker } = setup();
    for (let i = 0; i < 5; i++) {
      expect(breaker.acquire({ source: A, seq: 3 })).toBe('admitted');
      breaker.recordFailure(breaker.phase);
    }
    expect(breaker.state).toBe('open');
    expect(breaker.acquire({ source: A, seq: 3 })).toBe('admitted');
    breaker.recordFailure(breaker.phase);
    expect(breaker.acquire({ source: A, seq: 3 })).toBe('refused');
  });

  it('seqs are compared per source endpoint (each server numbers its own events)', () => {
    const { breaker } = open();
    expect(breaker.acquire({ source: A, seq: 100 })).toBe('admitted');
    breaker.recordFailure(breaker.phase);
    expect(breaker.acquire({ source: B, seq: 5 })).toBe('admitted');
    breaker.recordFailure(breaker.phase);
    expect(breaker.acquire({ source: B, seq: 5 })).toBe('refused');
    expect(breaker.acquire({ source: A, seq: 100 })).toBe('refused');
  });

  it('a late outcome of an attempt from an earlier phase neither fails nor passes the trial', () => {
    const { breaker, fail } = setup();
    expect(breaker.acquire()).toBe('admitted');
    const before = breaker.phase;
    fail(5);
    expect(breaker.acquire({ source: A, seq: 1 })).toBe('admitted');
    const trial = breaker.phase;
    breaker.recordFailure(before);
    expect(breaker.state).toBe('half-open');
    breaker.recordSuccess(before);
    expect(breaker.state).toBe('half-open');
    breaker.recordSuccess(trial);
    expect(breaker.state).toBe('closed');
    expect(breaker.stats().lastFailureTime).toBe(1_000_000);
  });

  it('the trial that closes it is one success, not maxRequests; the reset timeout\'s half-open still asks maxRequests', () => {
    const { breaker, time } = open();
    breaker.acquire({ source: A, seq: 1 });
    breaker.recordFailure(breaker.phase);
    time.advance(60_000);
    expect(breaker.state).toBe('half-open');
    expect([1, 2, 3, 4].map(() => breaker.acquire({ source: A, seq: 2 }))).toEqual(['admitted', 'admitted', 'admitted', 'wait']);
    breaker.recordSuccess(breaker.phase);
    breaker.recordSuccess(breaker.phase);
    expect(breaker.state).toBe('half-open');
    breaker.recordSuccess(breaker.phase);
    expect(breaker.state).toBe('closed');
  });

  it('settled() resolves at the trial\'s outcome (and is pending until then)', async () => {
    const { breaker } = open();
    breaker.acquire({ source: A, seq: 1 });
    expect(breaker.acquire({ source: A, seq: 1 })).toBe('wait');
    let woke = false;
    const settled = breaker.settled().then(() => (woke = true));
    await Promise.resolve();
    expect(woke).toBe(false);
    breaker.recordSuccess(breaker.phase);
    await settled;
    expect(woke).toBe(true);
    expect(breaker.acquire({ source: A, seq: 1 })).toBe('admitted');
  });

  it('a trial that never reports back: after resetTimeout a new round of trials starts, and waiters are woken', async () => {
    const { breaker, time } = open();
    breaker.acquire({ source: A, seq: 1 });
    const settled = breaker.settled();
    time.advance(60_000);
    expect(breaker.acquire({ source: A, seq: 1 })).toBe('admitted');
    await settled;
  });

  it('reset forgets which MOVINGs had their trial', () => {
    const { breaker, fail } = open();
    breaker.acquire({ source: A, seq: 1 });
    breaker.recordFailure(breaker.phase);
    breaker.reset();
    fail(5);
    expect(breaker.acquire({ source: A, seq: 1 })).toBe('admitted');
  });

  it('remembers at most 64 sources, forgetting the longest unheard', () => {
    const { breaker } = open();
    for (let i = 0; i <= 64; i++) {
      expect(breaker.acquire({ source: `s${i}:1`, seq: 1 })).toBe('admitted');
      breaker.recordFailure(breaker.phase);
    }
    expect(breaker.acquire({ source: 's64:1', seq: 1 })).toBe('refused');
    expect(breaker.acquire({ source: 's1:1', seq: 1 })).toBe('refused');
    expect(breaker.acquire({ source: 's0:1', seq: 1 })).toBe('admitted');
  });
});
