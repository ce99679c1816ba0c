/**
 * The shipped Prometheus files pass Prometheus's own tools (Debian's `prometheus` package, which
 * npm test and CI install): the rules load, their unit tests (grafana/alerts.test.yml) pass, and
 * the scrape config is valid.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alertRules } from '../../dashboards/src/alerts.js';

const grafana = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../grafana');

function promtool(...args: string[]): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd: grafana, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool could not run (Debian: apt-get install prometheus): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

describe('grafana/ for Prometheus', () => {
  it('promtool check rules: every alert loads', () => {
    const run = promtool('check', 'rules', 'alerts.yml');
    expect(run.output).toContain(`SUCCESS: ${alertRules().flatMap((g) => g.rules).length} rules found`);
    expect(run.status).toBe(0);
  });

  it('promtool test rules: each alert fires where it should and stays quiet where it should not', () => {
    const run = promtool('test', 'rules', 'alerts.test.yml');
    expect(run.output).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });

  it('the unit tests cover every shipped alert', () => {
    const tests = readFileSync(path.join(grafana, 'alerts.test.yml'), 'utf8');
    for (const rule of alertRules().flatMap((g) => g.rules)) expect(tests).toContain(`alertname: ${rule.alert}`);
  });

  it('promtool check config: the scrape config and the rules it loads are valid', () => {
    const run = promtool('check', 'config', 'prometheus.yml');
    expect(run.output).toContain('is valid prometheus config file syntax');
    expect(run.status).toBe(0);
  });
});
