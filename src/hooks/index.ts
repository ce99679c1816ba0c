export { HookChain, hookName, type HookTable } from './chain.js';
export { HOOK_MEMBERS, type Hook, type HookMember } from './hook.js';
export { redactArguments, REDACTED } from './redact.js';
export { connectionEvents } from './connection-events.js';
export { CLIENT_LIBRARY } from './library.js';
// The clock lives with the socket reads it times; command hooks read it here.
export { readEnded, readStarted, turnInstant, type Instant } from '../connection/clock.js';
export type * from './events.js';
