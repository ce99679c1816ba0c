import type { InterceptorStats } from './interceptors.js';
import type {
  ActionRecord, ConnectionInfo, EndpointType, NodeFaults, NodeInfo, NodeOptions, ProxyDefaults, ScenarioResult,
} from './types.js';

/**
 * What the action runner and the HTTP control routes need from the simulator, kept narrow so they
 * depend on this leaf module instead of on `Simulator` (which builds them): no import circle.
 * `Simulator` implements `SimulatorControl`.
 */

/** cae-resp-proxy's default interceptors. */
export type DefaultInterceptor = 'cluster' | 'hitless' | 'logger';

export interface SendResult {
  success: boolean;
  connectionId: string;
  error?: string;
}

export interface RelaxOptions {
  /** Node ids; default every node. */
  nodes?: string[];
  waitMs?: number;
}

export interface MovingOptions {
  /** Source node ids; default every node. */
  from?: string[];
  /** Target node id; default the next node (the node itself when it is alone). */
  to?: string;
  timeS?: number;
  /** Announce this endpoint type to everyone instead of what each connection asked for. */
  endpointType?: EndpointType;
}

export interface SmigrateOptions {
  from?: string;
  to?: string;
  /** "0-100,200"; default every slot the source owns. */
  slots?: string;
  waitMs?: number;
}

/** What fault-injector actions drive: the scenarios and the fault knobs. */
export interface ScenarioControl {
  nodes(): NodeInfo[];
  migrate(options?: RelaxOptions): Promise<ScenarioResult>;
  failover(options?: RelaxOptions): Promise<ScenarioResult>;
  moving(options?: MovingOptions): Promise<ScenarioResult>;
  smigrate(options?: SmigrateOptions): Promise<ScenarioResult>;
  setFaults(faults: Partial<NodeFaults>, nodeIds?: string[]): Promise<void>;
}

/** The fault-injector action records, as the routes see them (implemented by ActionRunner). */
export interface ActionControl {
  /** Validates and starts an action; throws a SimulatorError (a 4xx) on bad input. */
  start(type: unknown, parameters?: unknown): ActionRecord;
  get(id: string): ActionRecord | undefined;
  list(): ActionRecord[];
}

/** cae-resp-proxy's interceptors, as its routes set them (implemented by Interceptors). */
export interface InterceptorControl {
  add(name: string, match: Buffer, response: Buffer): void;
  setScenario(responses: Buffer[]): void;
  stats(): InterceptorStats[];
}

/** Everything the HTTP control routes call. */
export interface SimulatorControl extends ScenarioControl {
  readonly actions: ActionControl;
  readonly interceptors: InterceptorControl;
  readonly defaultInterceptors: ReadonlySet<DefaultInterceptor>;
  /** Defaults for nodes added with cae-resp-proxy's `POST /nodes`. */
  readonly proxyDefaults: ProxyDefaults;
  connections(nodeId?: string): ConnectionInfo[];
  addNode(options: NodeOptions): Promise<NodeInfo>;
  removeNode(id: string): Promise<boolean>;
  send(connectionId: string, frames: Buffer): SendResult;
  sendToAll(frames: Buffer, nodeIds?: string[]): SendResult[];
  dropConnection(connectionId: string): boolean;
  dropConnections(nodeIds?: string[]): number;
  /** How often a node saw `CLIENT MAINT_NOTIFICATIONS` and answered it (the `hitless` entry of /stats). */
  handshakeStats(nodeId: string): { invoked: number; matched: number } | undefined;
}
