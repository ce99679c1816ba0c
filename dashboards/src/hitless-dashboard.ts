/**
 * What both shipped dashboards share: the header fields, and the four variables (datasource, then
 * job, instance and Redis server, each read from a series that every client of the dashboard has).
 */
import { datasourceVariable, labelVariable, layout, type Annotation, type Dashboard, type Section } from './grafana.js';
import { L } from './metrics.js';

export interface HitlessDashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The series `$job` and `$instance` take their values from. */
  readonly jobSeries: string;
  /** The series `$server` takes its values from (it must have `server_address`). */
  readonly serverSeries: string;
  readonly annotations: readonly Annotation[];
  readonly sections: readonly Section[];
}

export function hitlessDashboard(spec: HitlessDashboardSpec): Dashboard {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: spec.tags,
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    timezone: 'browser',
    templating: {
      list: [
        datasourceVariable(),
        labelVariable('job', 'Job', spec.jobSeries, 'job'),
        labelVariable('instance', 'Instance', `${spec.jobSeries}{job=~"$job"}`, 'instance'),
        labelVariable('server', 'Redis server', `${spec.serverSeries}{job=~"$job", instance=~"$instance"}`, L.serverAddress),
      ],
    },
    annotations: { list: spec.annotations },
    panels: layout(spec.sections),
  };
}
