import { SimulatorError, badInput } from './errors.js';
import type { ActionControl, ScenarioControl } from './control.js';
import { ENDPOINT_TYPES, type ActionRecord, type EndpointType } from './types.js';

/**
 * Fault-injector actions (`POST /action {type, parameters}`), run in the background with the
 * status lifecycle client suites poll for: `running`, then `success` (or `failed` + error).
 * Input is validated before an action is accepted, so a bad request is a 4xx, not a failed action.
 */

type Params = Record<string, unknown>;
type Output = Record<string, unknown> | null;

const TYPES = [
  'migrate', 'failover', 'bind', 'sequence_of_actions', 'update_cluster_config', 'create_database', 'delete_database', 'slot_migrate',
] as const;
type ActionType = (typeof TYPES)[number];

export class ActionRunner implements ActionControl {
  readonly #simulator: ScenarioControl;
  readonly #records = new Map<string, ActionRecord>();
  readonly #done = new Map<string, Promise<ActionRecord>>();
  #counter = 0;
  #bdbId = 1;

  constructor(simulator: ScenarioControl) {
    this.#simulator = simulator;
  }

  /** Validates and starts an action; returns its record (status `running`). */
  start(type: unknown, parameters: unknown = {}): ActionRecord {
    const params = checkAction(type, parameters);
    const id = `${Date.now().toString(36)}-${(++this.#counter).toString().padStart(4, '0')}`;
    const record: ActionRecord = {
      action_id: id, type: type as string, status: 'running', error: null, output: null,
      start_time: new Date().toISOString(), end_time: null,
    };
    this.#records.set(id, record);
    const done = this.#execute(type as ActionType, params).then(
      (output) => Object.assign(record, { status: 'success', output }),
      (err: unknown) => Object.assign(record, { status: 'failed', error: err instanceof Error ? err.message : String(err) }),
    ).then(() => {
      record.end_time = new Date().toISOString();
      return { ...record };
    });
    this.#done.set(id, done);
    return { ...record };
  }

  async run(type: string, parameters: Params = {}): Promise<ActionRecord> {
    const { action_id } = this.start(type, parameters);
    return this.#done.get(action_id)!;
  }

  get(id: string): ActionRecord | undefined {
    const record = this.#records.get(id);
    return record === undefined ? undefined : { ...record };
  }

  list(): ActionRecord[] {
    return [...this.#records.values()].map((r) => ({ ...r }));
  }

  /** The database as client suites expect it in `create_database` output and endpoints files. */
  database(bdbId = 1): Record<string, unknown> {
    const node = this.#simulator.nodes()[0];
    if (node === undefined) throw badInput('the simulator has no node, so no database');
    const configured = node.addresses[0]!.host;
    const host = configured === '0.0.0.0' || configured === '::' ? '127.0.0.1' : configured;
    return {
      bdb_id: bdbId,
      username: 'default',
      password: '',
      tls: node.tls,
      raw_endpoints: [{ dns_name: host, port: node.port, addr: [host], addr_type: 'external' }],
      endpoints: [`${node.tls ? 'rediss' : 'redis'}://${host.includes(':') ? `[${host}]` : host}:${node.port}`],
    };
  }

  async #execute(type: ActionType, params: Params): Promise<Output> {
    const sim = this.#simulator;
    switch (type) {
      case 'migrate':
        return { ...(await sim.migrate({ waitMs: optionalNumber(params, 'wait_ms') })) };
      case 'failover':
        return { ...(await sim.failover({ waitMs: optionalNumber(params, 'wait_ms') })) };
      case 'bind':
        return {
          ...(await sim.moving({ timeS: optionalNumber(params, 'time_s'), endpointType: params.endpoint_type as EndpointType | undefined })),
        };
      case 'sequence_of_actions': {
        const results: Output[] = [];
        for (const step of params.actions as Array<{ type: ActionType; params?: Params; parameters?: Params }>) {
          results.push(await this.#execute(step.type, step.params ?? step.parameters ?? {}));
        }
        return { results };
      }
      case 'update_cluster_config': {
        const config = params.config as Params;
        await sim.setFaults({ notifications: config.client_maint_notifications as boolean });
        return { config };
      }
      case 'create_database':
        return this.database(++this.#bdbId);
      case 'delete_database':
        return null;
      case 'slot_migrate':
        return { ...(await sim.smigrate({ slots: params.slots as string | undefined, waitMs: optionalNumber(params, 'wait_ms') })) };
    }
  }
}

/** Checks an action before it is accepted; returns its parameters. */
function checkAction(type: unknown, parameters: unknown): Params {
  if (typeof type !== 'string' || !(TYPES as readonly string[]).includes(type)) {
    throw new SimulatorError('ERR_SIM_UNKNOWN_ACTION', `unknown action type ${JSON.stringify(type)}; supported: ${TYPES.join(', ')}`);
  }
  if (parameters === undefined || parameters === null) parameters = {};
  if (typeof parameters !== 'object' || Array.isArray(parameters)) throw badInput('"parameters" must be an object');
  const params = parameters as Params;
  for (const key of ['wait_ms', 'time_s']) optionalNumber(params, key);
  if (type === 'bind' && params.endpoint_type !== undefined && !ENDPOINT_TYPES.includes(params.endpoint_type as EndpointType)) {
    throw badInput(`"endpoint_type" must be one of ${ENDPOINT_TYPES.join(', ')}`);
  }
  if (type === 'sequence_of_actions') {
    if (!Array.isArray(params.actions) || params.actions.length === 0) throw badInput('"parameters.actions" must be a non-empty array of {type, params}');
    for (const step of params.actions as unknown[]) {
      if (typeof step !== 'object' || step === null) throw badInput('each action must be an object {type, params}');
      const s = step as Params;
      if (s.type === 'sequence_of_actions') throw badInput('sequence_of_actions cannot nest');
      checkAction(s.type, s.params ?? s.parameters);
    }
  }
  if (type === 'update_cluster_config') {
    const config = params.config as Params | undefined;
    if (typeof config !== 'object' || config === null || typeof config.client_maint_notifications !== 'boolean') {
      throw badInput('update_cluster_config needs "parameters.config.client_maint_notifications": true|false');
    }
  }
  if (type === 'slot_migrate' && params.slots !== undefined && typeof params.slots !== 'string') throw badInput('"slots" must be a string like "0-100,200"');
  return params;
}

function optionalNumber(params: Params, key: string): number | undefined {
  const value = params[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw badInput(`"${key}" must be a non-negative number`);
  return value;
}
