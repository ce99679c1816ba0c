import { UsageError, type ParsedArgs } from './args.js';

export const TRIGGER_HELP = `Usage: hitless simulate trigger <action> [options]

Talks to a running \`hitless simulate\` through its fault-injector API and waits for the end.

Actions:
  migrate                     MIGRATING, wait, MIGRATED            (--wait-ms)
  failover                    FAILING_OVER, wait, FAILED_OVER      (--wait-ms)
  bind                        MOVING to the next node; old connections close after time_s
                              (--endpoint-type, --time-s)
  smigrate                    SMIGRATING, wait, SMIGRATED          (--slots 0-99,200, --wait-ms)
  sequence <a,b,...>          run actions in order, e.g. sequence migrate,bind
  notifications <on|off>      update_cluster_config client_maint_notifications
  faults                      set fault knobs: --param latencyMs=100 --param connectDelayMs=500
                              --param refuseConnections=true --param blackhole=true
  drop                        close every client connection

Options:
  --control URL               the simulator's control API (default http://127.0.0.1:18100)
  --param k=v                 extra parameter (value parsed as JSON when possible); repeatable
  --no-wait                   print the action id instead of waiting for the end
  -h, --help                  this help
`;

type Params = Record<string, unknown>;

function params(args: ParsedArgs): Params {
  const out: Params = {};
  for (const p of args.params) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param needs key=value, got "${p}"`);
    const raw = p.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[p.slice(0, eq)] = value;
  }
  const map: Array<[string, string, (v: string) => unknown]> = [
    ['endpoint-type', 'endpoint_type', String], ['time-s', 'time_s', Number], ['wait-ms', 'wait_ms', Number], ['slots', 'slots', String],
  ];
  for (const [flag, key, convert] of map) {
    const value = args.flags[flag];
    if (typeof value === 'string') out[key] = convert(value);
  }
  return out;
}

/** The fault-injector request for a CLI action. */
export function actionRequest(action: string | undefined, rest: string[], args: ParsedArgs): { path: string; body: unknown } {
  const p = params(args);
  switch (action) {
    case 'migrate':
    case 'failover':
    case 'bind':
      return { path: '/action', body: { type: action, parameters: p } };
    case 'smigrate':
      return { path: '/action', body: { type: 'slot_migrate', parameters: p } };
    case 'sequence': {
      const steps = (rest[0] ?? '').split(',').filter((s) => s !== '');
      if (steps.length === 0) throw new UsageError('sequence needs a list, e.g. sequence migrate,bind');
      return { path: '/action', body: { type: 'sequence_of_actions', parameters: { actions: steps.map((type) => ({ type: type === 'smigrate' ? 'slot_migrate' : type, params: p })) } } };
    }
    case 'notifications': {
      if (rest[0] !== 'on' && rest[0] !== 'off') throw new UsageError('notifications needs on or off');
      return { path: '/action', body: { type: 'update_cluster_config', parameters: { config: { client_maint_notifications: rest[0] === 'on' } } } };
    }
    case 'faults':
      return { path: '/simulator/faults', body: p };
    case 'drop':
      return { path: '/simulator/faults', body: { ...p, dropConnections: true } };
    default:
      throw new UsageError(action === undefined ? 'trigger needs an action (see --help)' : `unknown action "${action}" (see --help)`);
  }
}

export async function trigger(args: ParsedArgs): Promise<number> {
  const [, , action, ...rest] = args.positionals;
  const { path, body } = actionRequest(action, rest, args);
  let base = typeof args.flags.control === 'string' ? args.flags.control : 'http://127.0.0.1:18100';
  if (!/^https?:\/\//.test(base)) base = `http://${base}`;
  const res = await fetch(new URL(path, base), { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const reply = (await res.json()) as Params;
  if (!res.ok) {
    console.error(`error ${res.status}: ${String(reply.error ?? JSON.stringify(reply))}`);
    return 1;
  }
  if (path !== '/action' || args.flags['no-wait'] === true) {
    console.log(JSON.stringify(reply, null, 2));
    return 0;
  }
  const id = String(reply.action_id);
  for (;;) {
    const record = (await (await fetch(new URL(`/action/${encodeURIComponent(id)}`, base))).json()) as Params;
    if (record.status !== 'running' && record.status !== 'pending') {
      console.log(JSON.stringify(record, null, 2));
      return record.status === 'success' ? 0 : 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
