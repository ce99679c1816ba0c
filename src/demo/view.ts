/**
 * How the demo shows its progress. On a terminal: a status block redrawn in place a few times a
 * second (progress bar, ops/s, errors, the maintenance step running, connections per node,
 * handoffs, p99), with event lines (steps, warnings) scrolling above it. Anywhere else (a pipe, a
 * file, CI): plain lines, the status once every few seconds.
 */

export interface DemoStatus {
  /** s since the run started */
  elapsedS: number;
  /** s the rehearsal is expected to take (a round, with --keep-running) */
  plannedS: number;
  /** read/write commands per second over the last second */
  opsPerSecond: number;
  errors: number;
  /** The rehearsal step running, or `steady`. */
  state: string;
  /** Open connections per simulated node (A, B). */
  connections: Record<string, number>;
  /** Handoffs that succeeded so far. */
  handoffs: number;
  /** ms, over the last second; null without commands. */
  p99: number | null;
}

export interface ProgressView {
  /** A line that stays (a step started or ended, a warning). */
  event(line: string): void;
  /** The latest status; called a few times a second. */
  status(status: DemoStatus): void;
  /** Leaves the terminal as a plain one (the last status stays on screen). */
  close(): void;
}

const p99Text = (p99: number | null): string => (p99 === null ? '-' : `${p99.toFixed(2)} ms`);
const nodesText = (connections: Record<string, number>): string => Object.entries(connections).map(([node, n]) => `${node} ${n}`).join(' / ');

/** The status as one plain line. */
export function statusLine(s: DemoStatus): string {
  return `${s.opsPerSecond.toFixed(0)} ops/s, ${s.errors} errors, ${s.state}, connections ${nodesText(s.connections)}, handoffs ${s.handoffs}, p99 ${p99Text(s.p99)}`;
}

/** `[  12.3s]`: the time stamp of progress lines. */
export const stamp = (seconds: number): string => `[${seconds.toFixed(1).padStart(6)}s]`;

/** Plain lines: events as they come, the status every `everyMs` of run time. */
export function plainView(write: (line: string) => void, everyMs = 5000): ProgressView {
  let next = everyMs / 1000;
  return {
    event: write,
    status: (s) => {
      if (s.elapsedS < next) return;
      next = s.elapsedS + everyMs / 1000;
      write(`${stamp(s.elapsedS)} ${statusLine(s)}`);
    },
    close: () => undefined,
  };
}

const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const GREEN = '\x1b[32m';
const YELLOW = '\x1b[33m';
const RESET = '\x1b[0m';

/** The status block's lines for a terminal `width` columns wide (no line is longer). */
export function renderStatus(s: DemoStatus, width: number): string[] {
  const barWidth = Math.max(10, Math.min(40, width - 30));
  const fraction = s.plannedS > 0 ? Math.min(1, s.elapsedS / s.plannedS) : 0;
  const filled = Math.round(fraction * barWidth);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(barWidth - filled)}]`;
  const state = s.state === 'steady' ? `${GREEN}steady traffic${RESET}` : `${YELLOW}${BOLD}maintenance: ${s.state}${RESET}`;
  const errors = s.errors === 0 ? `${GREEN}0 errors${RESET}` : `${RED}${BOLD}${s.errors} errors${RESET}`;
  const lines = [
    `${BOLD}hitless demo${RESET} ${bar} ${s.elapsedS.toFixed(0)} / ~${s.plannedS.toFixed(0)} s`,
    `  ${state}`,
    `  ${s.opsPerSecond.toFixed(0).padStart(6)} ops/s   ${errors}   p99 ${p99Text(s.p99)}   handoffs ${s.handoffs}`,
    `  ${DIM}connections${RESET} ${nodesText(s.connections)}`,
  ];
  return lines.map((line) => clip(line, width));
}

/** Cuts a line with escape codes to `width` visible characters. */
function clip(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\x1b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width) continue;
    out += line[i];
    visible++;
  }
  return out + RESET;
}

export interface TerminalLike {
  write(text: string): unknown;
  readonly columns?: number;
}

/** A status block at the bottom of the terminal, redrawn in place; event lines scroll above it. */
export function liveView(terminal: TerminalLike): ProgressView {
  let drawn = 0;
  let last: DemoStatus | undefined;
  const erase = (): string => (drawn === 0 ? '' : `\x1b[${drawn}F\x1b[J`);
  const draw = (): string => {
    if (last === undefined) return '';
    // A pseudo-terminal without a size reports 0 columns.
    const lines = renderStatus(last, Math.max(20, (terminal.columns || 80) - 1));
    drawn = lines.length;
    return `${lines.join('\n')}\n`;
  };
  terminal.write('\x1b[?25l'); // hide the cursor while redrawing
  return {
    event: (line) => {
      const before = erase();
      drawn = 0;
      terminal.write(`${before}${line}\n${draw()}`);
    },
    status: (s) => {
      last = s;
      const before = erase();
      drawn = 0;
      terminal.write(`${before}${draw()}`);
    },
    close: () => terminal.write('\x1b[?25h'),
  };
}
