/**
 * The part of Grafana's dashboard JSON model the shipped dashboards use, and builders that lay
 * panels out on the 24-column grid. Every panel and variable reads from the `$datasource`
 * variable (a Prometheus datasource), so the dashboards import into any Grafana unchanged.
 */

export interface DatasourceRef {
  readonly type: 'prometheus';
  readonly uid: string;
}

/** Every query goes to the datasource the `datasource` variable selects. */
export const DATASOURCE: DatasourceRef = { type: 'prometheus', uid: '${datasource}' };

export interface Target {
  readonly refId: string;
  readonly datasource: DatasourceRef;
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: true;
}

export interface GridPos {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

export type Unit = 's' | 'ops' | 'reqps' | 'short' | 'percentunit' | 'none';

export interface Panel {
  readonly id: number;
  readonly type: 'timeseries' | 'stat' | 'row';
  readonly title: string;
  readonly description?: string;
  readonly gridPos: GridPos;
  readonly datasource?: DatasourceRef;
  readonly targets?: readonly Target[];
  readonly fieldConfig?: {
    readonly defaults: {
      readonly unit: Unit;
      readonly min?: number;
      readonly decimals?: number;
      readonly custom?: Readonly<Record<string, string | number | boolean | Readonly<Record<string, string>>>>;
    };
    readonly overrides: readonly never[];
  };
  readonly options?: Readonly<Record<string, unknown>>;
  readonly collapsed?: boolean;
  readonly panels?: readonly never[];
}

export interface DatasourceVariable {
  readonly type: 'datasource';
  readonly name: string;
  readonly label: string;
  readonly query: 'prometheus';
  readonly current: Readonly<Record<string, never>>;
  readonly hide: 0;
}

export interface QueryVariable {
  readonly type: 'query';
  readonly name: string;
  readonly label: string;
  readonly datasource: DatasourceRef;
  /** `label_values(<series selector>, <label>)`. */
  readonly definition: string;
  readonly query: { readonly query: string; readonly refId: string };
  readonly includeAll: true;
  readonly multi: true;
  readonly allValue: '.*';
  readonly current: Readonly<Record<string, never>>;
  /** 2: on time range change. */
  readonly refresh: 2;
  readonly sort: 1;
  readonly hide: 0;
}

export type Variable = DatasourceVariable | QueryVariable;

export interface Annotation {
  readonly name: string;
  readonly datasource: DatasourceRef;
  readonly enable: true;
  readonly hide: false;
  readonly iconColor: string;
  readonly expr: string;
  readonly step: string;
  readonly titleFormat: string;
  readonly textFormat: string;
  readonly useValueForTime: false;
}

export interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly editable: true;
  /** 1: a shared crosshair across panels. */
  readonly graphTooltip: 1;
  readonly schemaVersion: 39;
  readonly version: 1;
  readonly refresh: string;
  readonly time: { readonly from: string; readonly to: string };
  readonly timezone: 'browser';
  readonly templating: { readonly list: readonly Variable[] };
  readonly annotations: { readonly list: readonly Annotation[] };
  readonly panels: readonly Panel[];
}

export function datasourceVariable(): DatasourceVariable {
  return { type: 'datasource', name: 'datasource', label: 'Datasource', query: 'prometheus', current: {}, hide: 0 };
}

/** A multi-value variable filled with a label's values among a metric's series. */
export function labelVariable(name: string, label: string, selector: string, labelName: string): QueryVariable {
  const definition = `label_values(${selector}, ${labelName})`;
  return {
    type: 'query', name, label, datasource: DATASOURCE, definition, query: { query: definition, refId: `${name}-values` },
    includeAll: true, multi: true, allValue: '.*', current: {}, refresh: 2, sort: 1, hide: 0,
  };
}

export function annotation(name: string, iconColor: string, expr: string, titleFormat: string, textFormat: string): Annotation {
  return { name, datasource: DATASOURCE, enable: true, hide: false, iconColor, expr, step: '', titleFormat, textFormat, useValueForTime: false };
}

export interface Query {
  readonly expr: string;
  readonly legend: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: Unit;
  readonly queries: readonly Query[];
  /** Columns of the 24-column grid. Default 12. */
  readonly width?: number;
  readonly height?: number;
  /** Bars for counts per interval, lines otherwise. */
  readonly bars?: boolean;
  readonly stacked?: boolean;
  /** A single number instead of a graph. */
  readonly stat?: boolean;
}

export type Section = { readonly row: string; readonly panels: readonly PanelSpec[] };

/**
 * Lays sections out top to bottom: a row header each, then its panels left to right, wrapping
 * at 24 columns. Ids are given in order, so a regenerated dashboard keeps its panel links.
 */
export function layout(sections: readonly Section[]): Panel[] {
  const panels: Panel[] = [];
  let y = 0;
  for (const section of sections) {
    panels.push({ id: panels.length + 1, type: 'row', title: section.row, gridPos: { x: 0, y, w: 24, h: 1 }, collapsed: false, panels: [] });
    y += 1;
    let x = 0;
    let rowHeight = 0;
    for (const spec of section.panels) {
      const w = spec.width ?? 12;
      const h = spec.height ?? (spec.stat === true ? 4 : 8);
      if (x + w > 24) {
        y += rowHeight;
        x = 0;
        rowHeight = 0;
      }
      panels.push(panel(panels.length + 1, spec, { x, y, w, h }));
      x += w;
      rowHeight = Math.max(rowHeight, h);
    }
    y += rowHeight;
  }
  return panels;
}

function panel(id: number, spec: PanelSpec, gridPos: GridPos): Panel {
  const targets = spec.queries.map((q, i): Target => ({
    refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend, range: true,
  }));
  const common = { id, title: spec.title, description: spec.description, gridPos, datasource: DATASOURCE, targets };
  if (spec.stat === true) {
    return {
      ...common, type: 'stat',
      fieldConfig: { defaults: { unit: spec.unit, decimals: 2 }, overrides: [] },
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' },
    };
  }
  return {
    ...common, type: 'timeseries',
    fieldConfig: {
      defaults: {
        unit: spec.unit, min: 0,
        custom: {
          drawStyle: spec.bars === true ? 'bars' : 'line', lineWidth: 1, fillOpacity: spec.bars === true ? 80 : 10,
          showPoints: 'never', spanNulls: false, stacking: { mode: spec.stacked === true ? 'normal' : 'none', group: 'A' },
        },
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['max', 'lastNotNull'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  };
}

/** Every PromQL expression in a dashboard: panel targets, annotations and variable queries. */
export interface DashboardExpression {
  readonly where: string;
  readonly expr: string;
  /** A `label_values(...)` variable query, not PromQL. */
  readonly labelValues: boolean;
}

export function expressionsOf(dashboard: Dashboard): DashboardExpression[] {
  const found: DashboardExpression[] = [];
  for (const p of dashboard.panels) {
    for (const t of p.targets ?? []) found.push({ where: `${dashboard.title} / ${p.title} / ${t.refId}`, expr: t.expr, labelValues: false });
  }
  for (const a of dashboard.annotations.list) found.push({ where: `${dashboard.title} / annotation ${a.name}`, expr: a.expr, labelValues: false });
  for (const v of dashboard.templating.list) {
    if (v.type === 'query') found.push({ where: `${dashboard.title} / variable $${v.name}`, expr: v.definition, labelValues: true });
  }
  return found;
}
