#!/usr/bin/env node
import { SimulatorError } from '../simulator/errors.js';
import { UsageError, parseArgs } from './args.js';
import { DEMO_HELP, demo } from './demo.js';
import { REHEARSE_HELP, rehearse } from './rehearse.js';
import { SIMULATE_HELP, simulate } from './simulate.js';
import { SOAK_HELP, soak } from './soak.js';
import { TRIGGER_HELP, trigger } from './trigger.js';

/** The `hitless` command: `simulate` (and `simulate trigger`), `demo`, `rehearse`, `soak`. */

const MAIN_HELP = `Usage: hitless <command> [options]

Commands:
  simulate            run the maintenance simulator in front of a redis-server
  simulate trigger    start a maintenance (migrate, failover, bind, ...) on a running simulator
  demo                a maintenance rehearsal under load, with metrics, spans, logs and a summary
  rehearse --url URL  the same rehearsal in front of your own Redis
  soak                a long run (default 10 min) under random maintenance events and faults, checked

Run \`hitless <command> --help\` for a command's options.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv);
  const [command, sub] = args.positionals;
  const help = args.flags.help === true;
  if (command === undefined) {
    console.log(MAIN_HELP);
    return help ? 0 : 1;
  }
  if (command === 'demo') {
    if (help) {
      console.log(DEMO_HELP);
      return 0;
    }
    if (sub !== undefined) throw new UsageError(`demo takes no argument, got "${sub}"`);
    return demo(args);
  }
  if (command === 'rehearse') {
    if (help) {
      console.log(REHEARSE_HELP);
      return 0;
    }
    if (sub !== undefined) throw new UsageError(`rehearse takes no argument, got "${sub}" (the Redis goes in --url)`);
    return rehearse(args);
  }
  if (command === 'soak') {
    if (help) {
      console.log(SOAK_HELP);
      return 0;
    }
    if (sub !== undefined) throw new UsageError(`soak takes no argument, got "${sub}"`);
    return soak(args);
  }
  if (command === 'simulate' && sub === 'trigger') {
    if (help) {
      console.log(TRIGGER_HELP);
      return 0;
    }
    return trigger(args);
  }
  if (command === 'simulate') {
    if (help) {
      console.log(SIMULATE_HELP);
      return 0;
    }
    if (sub !== undefined) throw new UsageError(`unknown simulate subcommand "${sub}"`);
    await simulate(args);
    return 0;
  }
  throw new UsageError(`unknown command "${command}"`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof SimulatorError) {
      console.error(`hitless: ${err.message}\nRun \`hitless --help\` for usage.`);
      process.exitCode = 2;
      return;
    }
    console.error(err);
    process.exitCode = 1;
  },
);
