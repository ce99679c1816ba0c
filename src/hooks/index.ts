export { HookChain, hookName, type HookTable } from './chain.js';
export { HOOK_MEMBERS, type Hook, type HookMember } from './hook.js';
export { redactArguments, REDACTED } from './redact.js';
export { readEnded, readStarted, turnInstant, type Instant } from './clock.js';
export type * from './events.js';
