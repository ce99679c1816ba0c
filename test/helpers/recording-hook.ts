import { HOOK_MEMBERS, type Hook, type HookMember } from '../../src/index.js';

export interface Recorded {
  member: HookMember;
  event: unknown;
  state?: unknown;
}

/** A hook implementing every member, recording each call in order (a snapshot of the payload). */
export function recordingHook(): Hook & { calls: Recorded[]; of(member: HookMember): Array<Record<string, unknown>> } {
  const calls: Recorded[] = [];
  const hook: Record<string, unknown> = { name: 'Recorder', calls };
  for (const member of HOOK_MEMBERS) {
    hook[member] = (event: unknown, state: unknown) => {
      calls.push({ member, event: snapshot(event), state });
      return member === 'onCommandStart' || member === 'onBatchStart' ? `state-of-${(event as { name?: string; kind?: string }).name ?? (event as { kind: string }).kind}` : undefined;
    };
  }
  hook.of = (member: HookMember) => calls.filter((c) => c.member === member).map((c) => c.event as Record<string, unknown>);
  return hook as unknown as Hook & { calls: Recorded[]; of(member: HookMember): Array<Record<string, unknown>> };
}

/** A copy of a payload as it is now: command events are views (their `toJSON()`), the rest plain objects. */
function snapshot(event: unknown): object {
  const e = event as { toJSON?: () => object };
  return typeof e.toJSON === 'function' ? e.toJSON() : { ...(event as object) };
}
