/**
 * The committed dashboards and alert rules are what their typed sources generate, and the
 * dashboards are well formed: unique ids, a grid without overlaps, every query on the datasource
 * variable, every panel described, the variables the issue asks for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DATASOURCE, expressionsOf, type Panel } from '../../../dashboards/src/grafana.js';
import { DASHBOARDS, generatedFiles } from '../../../dashboards/src/outputs.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('generated files', () => {
  for (const file of generatedFiles()) {
    it(`${file.path} is up to date (else: npm run dashboards)`, () => {
      expect(readFileSync(path.join(root, file.path), 'utf8')).toBe(file.content);
    });
  }

  it('the committed JSON parses back to the typed source', () => {
    const maintenance = JSON.parse(readFileSync(path.join(root, 'dashboards/redis-maintenance.json'), 'utf8')) as unknown;
    expect(maintenance).toEqual(JSON.parse(JSON.stringify(DASHBOARDS[0])));
  });
});

const overlaps = (a: Panel['gridPos'], b: Panel['gridPos']): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

for (const dashboard of DASHBOARDS) {
  describe(dashboard.title, () => {
    it('has unique panel ids and a uid', () => {
      const ids = dashboard.panels.map((p) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    });

    it('lays its panels on the 24-column grid without overlaps', () => {
      for (const p of dashboard.panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
      for (const [i, a] of dashboard.panels.entries()) {
        for (const b of dashboard.panels.slice(i + 1)) expect(overlaps(a.gridPos, b.gridPos), `${a.title} / ${b.title}`).toBe(false);
      }
    });

    it('queries the datasource variable only, and describes every panel', () => {
      for (const p of dashboard.panels.filter((panel) => panel.type !== 'row')) {
        expect(p.datasource, p.title).toEqual(DATASOURCE);
        expect(p.description?.length, p.title).toBeGreaterThan(10);
        expect(p.targets?.length, p.title).toBeGreaterThan(0);
        for (const t of p.targets ?? []) expect(t.datasource).toEqual(DATASOURCE);
      }
    });

    it('has the datasource, job, instance and server variables, and filters every query by job and instance', () => {
      expect(dashboard.templating.list.map((v) => v.name)).toEqual(['datasource', 'job', 'instance', 'server']);
      for (const e of expressionsOf(dashboard).filter((x) => !x.labelValues)) {
        expect(e.expr, e.where).toContain('job=~"$job"');
        expect(e.expr, e.where).toContain('instance=~"$instance"');
      }
    });

    it('hides no missing metric behind `or vector(0)`', () => {
      for (const e of expressionsOf(dashboard)) expect(e.expr, e.where).not.toMatch(/\bvector\s*\(/);
    });
  });
}

describe('the panels the issue lists', () => {
  const titles = DASHBOARDS.flatMap((d) => d.panels.map((p) => `${d.uid}: ${p.title}`));
  it.each([
    ['hitless-redis-maintenance', /Notifications by type/], ['hitless-redis-maintenance', /Notification processing time/],
    ['hitless-redis-maintenance', /Handoffs by outcome/], ['hitless-redis-maintenance', /Handoff duration/],
    ['hitless-redis-maintenance', /Connections relaxed now/], ['hitless-redis-maintenance', /Handoff queue and workers/],
    ['hitless-redis-maintenance', /Circuit breakers by endpoint/],
    ['hitless-redis-client', /Commands per second by command/], ['hitless-redis-client', /Latency p50 by command/],
    ['hitless-redis-client', /Latency p99 by command/], ['hitless-redis-client', /Errors by type/],
    ['hitless-redis-client', /Connections by state/], ['hitless-redis-client', /Connection create time/],
    ['hitless-redis-client', /Pending requests/],
  ])('%s has %s', (uid, title) => {
    expect(titles.some((t) => t.startsWith(`${uid}: `) && title.test(t))).toBe(true);
  });

  it('the maintenance dashboard annotates every notification and every failed handoff', () => {
    const maintenance = DASHBOARDS.find((d) => d.uid === 'hitless-redis-maintenance')!;
    expect(maintenance.annotations.list.map((a) => a.name)).toEqual(['Maintenance notifications', 'Failed handoffs']);
  });
});
