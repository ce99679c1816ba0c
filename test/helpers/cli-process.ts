/**
 * The `hitless` command as a user runs it, in a child process (through tsx, from the sources),
 * with its output captured; and what the demo and the soak tests ask of what it started.
 */
import { spawn } from 'node:child_process';

export interface CliProcess {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/** Node's arguments that run `hitless <command>` from the sources. */
export const cliArgv = (command: string): string[] => ['--import', 'tsx', 'src/cli/main.ts', command];

/** Runs `hitless <command> <args>`. */
export function startCli(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): CliProcess {
  const child = spawn(process.execPath, [...cliArgv(command), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  return { stdout: () => stdout, stderr: () => stderr, exited, kill: (signal) => child.kill(signal) };
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid of the redis-server the demo or the soak said it started. */
export const redisPid = (progress: string): number => Number(/started redis-server \S+ \(pid (\d+)\)/.exec(progress)?.[1]);

export const NOTIFICATION_TYPES = ['MIGRATING', 'MIGRATED', 'FAILING_OVER', 'FAILED_OVER', 'SMIGRATING', 'SMIGRATED', 'MOVING'];
