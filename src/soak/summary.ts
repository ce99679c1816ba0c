/**
 * The soak's verdict: errors sorted into documented ones and the rest, the violations, and the
 * summary as text. Documented (README, Reliability): a command written to a connection that then
 * dies fails with ERR_CONNECTION_LOST, "it may or may not have run". The soak kills connections
 * two ways: a drop, and a MOVING whose handoffs failed (the target refused them, the circuit
 * breaker opened), after which the server closes the old connections at time_s.
 */
import type { ErrorRecord, SequenceCheck } from '../demo/load.js';
import { stamp } from '../demo/view.js';
import type { EventKind } from './events.js';
import type { MemorySample, ResourceCount } from './resources.js';

export interface EventRecord {
  readonly kind: EventKind;
  /** ms since the run started */
  readonly start: number;
  readonly end: number;
  readonly detail: string;
  /** Handoffs that failed while it ran (their connections are closed by the server at time_s). */
  readonly failedHandoffs: number;
}

export type ConnectionKiller = 'drop' | 'failed-handoff';

/** A killed connection's in-flight commands fail within this long after its event ended (ms). */
export const DROP_WINDOW_MS = 2000;

/** What killed connections at `at` (during an event that did, or just after it), if anything. */
export function killerAt(at: number, events: readonly EventRecord[]): ConnectionKiller | undefined {
  const event = events.find((e) => (e.kind === 'drop' || e.failedHandoffs > 0) && at >= e.start && at <= e.end + DROP_WINDOW_MS);
  if (event === undefined) return undefined;
  return event.kind === 'drop' ? 'drop' : 'failed-handoff';
}

/** The cause that documents a command's `error` (ERR_CONNECTION_LOST while connections were being killed), if any. */
export function documentedBy(error: ErrorRecord, events: readonly EventRecord[]): ConnectionKiller | undefined {
  return error.code === 'ERR_CONNECTION_LOST' ? killerAt(error.at, events) : undefined;
}

export interface SoakSummary {
  ok: boolean;
  violations: string[];
  seed: number;
  durationS: number;
  writers: number;
  consumers: number;
  commands: number;
  opsPerSecond: number;
  /**
   * Command errors outside the documented cases, and client `error` events (a connection died)
   * at moments the soak killed none (must be 0).
   */
  errors: number;
  errorExamples: string[];
  /** ERR_CONNECTION_LOST of commands written to a connection the soak killed. */
  documentedErrors: number;
  /** The same, by what killed the connection. */
  documentedByCause: Record<ConnectionKiller, number>;
  /** Client `error` events reporting a connection the soak killed. */
  expectedErrorEvents: number;
  lostWrites: number;
  lostWriteExamples: string[];
  /** Keys whose last write may or may not have run (ERR_CONNECTION_LOST); either value is accepted. */
  uncertainWrites: number;
  /** Acknowledged pub/sub messages never received, and acknowledged list items never popped beyond what lost BRPOPs explain (must be 0). */
  lostMessages: number;
  duplicatedMessages: number;
  /** Messages Redis acknowledged with no subscriber (PUBLISH replied 0: the subscription was being restored after a drop). */
  unheardMessages: number;
  /** BRPOPs that failed with ERR_CONNECTION_LOST (each may have popped an item nobody received). */
  uncertainPops: number;
  pubsub: SequenceCheck;
  blocking: SequenceCheck;
  events: Record<string, number>;
  /** Events the simulator could not run (a bug of the soak, not of the client; must be none). */
  eventFailures: string[];
  notifications: Record<string, number>;
  handoffs: Record<string, number>;
  memory: { start: MemorySample; end: MemorySample };
  resources: { start: ResourceCount; end: ResourceCount; leaked: Record<string, number> };
  interrupted: boolean;
}

/** What makes a run fail, in words; empty when it passed. */
export function violations(s: Omit<SoakSummary, 'ok' | 'violations'>): string[] {
  const out: string[] = [];
  if (s.errors > 0) out.push(`${s.errors} command error${s.errors === 1 ? '' : 's'} outside the documented cases`);
  if (s.lostWrites > 0) out.push(`${s.lostWrites} acknowledged write${s.lostWrites === 1 ? '' : 's'} lost`);
  if (s.lostMessages > 0) out.push(`${s.lostMessages} acknowledged message${s.lostMessages === 1 ? '' : 's'} lost`);
  if (s.resources.end.sockets > s.resources.start.sockets) out.push(`${s.resources.end.sockets - s.resources.start.sockets} socket(s) still open at the end`);
  if (s.resources.end.timers > s.resources.start.timers) out.push(`${s.resources.end.timers - s.resources.start.timers} timer(s) still active at the end`);
  for (const failure of s.eventFailures) out.push(`event failed: ${failure}`);
  if (s.interrupted) out.push('stopped by a signal before the end');
  return out;
}

const counts = (record: Record<string, number>): string => Object.entries(record).map(([k, n]) => `${k} ${n}`).join(', ') || 'none';
const mem = (m: MemorySample): string => `RSS ${m.rssMB} MB, heap ${m.heapUsedMB} MB`;

export function formatSummary(s: SoakSummary): string {
  const lines = [
    `hitless soak ${s.ok ? 'PASSED' : 'FAILED'} (seed ${s.seed}; repeat with --seed ${s.seed})`,
    `  duration          ${s.durationS.toFixed(1)} s, ${s.writers} writers, ${s.consumers} blocking consumers, a numbered pub/sub stream`,
    `  commands          ${s.commands} (${s.opsPerSecond.toFixed(0)} reads/writes per second)`,
    `  errors            ${s.errors} outside the documented cases; ${s.documentedErrors} documented (ERR_CONNECTION_LOST: ${s.documentedByCause.drop} on dropped connections, ${s.documentedByCause['failed-handoff']} on connections the server closed after their handoff failed)`,
    ...s.errorExamples.map((e) => `                      ${e}`),
    `  error events      ${s.expectedErrorEvents} (the client reporting connections the soak killed)`,
    `  lost writes       ${s.lostWrites} (${s.uncertainWrites} keys whose last write may or may not have run, either value accepted)`,
    ...s.lostWriteExamples.map((e) => `                      ${e}`),
    `  lost messages     ${s.lostMessages}; duplicated ${s.duplicatedMessages}; pub/sub ${s.pubsub.received}/${s.pubsub.sent} received, ${s.unheardMessages} published with no subscriber; list ${s.blocking.received}/${s.blocking.sent} popped, ${s.uncertainPops} BRPOPs lost with their connection`,
    `  events            ${counts(s.events)}`,
    `  notifications     ${counts(s.notifications)}`,
    `  handoffs          ${counts(s.handoffs)}`,
    `  memory            start ${mem(s.memory.start)}; end ${mem(s.memory.end)}`,
    `  open at the end   ${s.resources.end.sockets} sockets (start ${s.resources.start.sockets}), ${s.resources.end.timers} timers (start ${s.resources.start.timers})${Object.keys(s.resources.leaked).length ? `; more than at the start: ${counts(s.resources.leaked)}` : ''}`,
  ];
  if (!s.ok) lines.push(...s.violations.map((v) => `  VIOLATION: ${v}`));
  return lines.join('\n');
}

export const errorLine = (e: ErrorRecord): string => `${stamp(e.at / 1000)} ${e.message}`;
