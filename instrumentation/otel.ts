/**
 * The slice of the OpenTelemetry metrics API the hooks use, as structural types: any
 * @opentelemetry/api 1.x `MeterProvider` fits them, and hitless's published types need no OTel
 * package. Without a `meterProvider` option the global one is used, which loads
 * @opentelemetry/api (an optional peer dependency) when the first hook is made.
 */
import { createRequire } from 'node:module';

export type AttributeValue = string | number | boolean;
export type Attributes = Readonly<Record<string, AttributeValue>>;

export interface CounterLike {
  add(value: number, attributes?: Attributes): void;
}

export interface HistogramLike {
  record(value: number, attributes?: Attributes): void;
  /** A recorder for one attribute set, when the backend can find that series once instead of per value. */
  bind?(attributes: Attributes): (value: number) => void;
}

export interface ObservableResultLike {
  observe(value: number, attributes?: Attributes): void;
}

/** An observable gauge, counter or up/down counter. */
export interface ObservableLike {
  addCallback(callback: (result: ObservableResultLike) => void): void;
  removeCallback(callback: (result: ObservableResultLike) => void): void;
}

export interface InstrumentOptions {
  description?: string;
  unit?: string;
  advice?: { explicitBucketBoundaries?: number[] };
}

export interface MeterLike {
  createCounter(name: string, options?: InstrumentOptions): CounterLike;
  createUpDownCounter(name: string, options?: InstrumentOptions): CounterLike;
  createHistogram(name: string, options?: InstrumentOptions): HistogramLike;
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableLike;
  createObservableUpDownCounter(name: string, options?: InstrumentOptions): ObservableLike;
}

export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike;
}

interface OtelApi {
  metrics: { getMeterProvider(): MeterProviderLike };
}

/** The global meter provider of @opentelemetry/api; a clear error when the package is missing. */
export function globalMeterProvider(): MeterProviderLike {
  let api: OtelApi;
  try {
    api = createRequire(import.meta.url)('@opentelemetry/api') as OtelApi;
  } catch (error) {
    throw new Error(
      'MetricsHook uses @opentelemetry/api, which is not installed: `npm install @opentelemetry/api` (an optional peer dependency of hitless), or pass a `meterProvider`',
      { cause: error },
    );
  }
  return api.metrics.getMeterProvider();
}
