/**
 * Every file generated from the typed sources, with its path in the repository and its content:
 * the two dashboards (JSON) and the alert rules (YAML).
 */
import { alertRules, rulesFile } from './alerts.js';
import { clientDashboard } from './client-dashboard.js';
import type { Dashboard } from './grafana.js';
import { maintenanceDashboard } from './maintenance-dashboard.js';

export const DASHBOARDS: readonly Dashboard[] = [maintenanceDashboard, clientDashboard];

export interface GeneratedFile {
  /** Relative to the repository's root. */
  readonly path: string;
  readonly content: string;
}

export function generatedFiles(): GeneratedFile[] {
  return [
    { path: 'dashboards/redis-maintenance.json', content: `${JSON.stringify(maintenanceDashboard, null, 2)}\n` },
    { path: 'dashboards/redis-client.json', content: `${JSON.stringify(clientDashboard, null, 2)}\n` },
    { path: 'grafana/alerts.yml', content: rulesFile(alertRules()) },
  ];
}
