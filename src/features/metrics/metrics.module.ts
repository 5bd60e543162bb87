import type { DependencyContainer } from 'tsyringe'
import { bindValue, resolve } from '../../shared/di.ts'
import { Database } from '../../shared/infra/database/database.ts'
import { Metrics } from '../../shared/metrics.port.ts'
import { PromMetrics } from './adapters/prom-metrics.ts'
import { HttpMetrics, MetricsExporter } from './metrics-exporter.port.ts'

/**
 * Binds the Metrics port, the HTTP metrics and the exporter to one PromMetrics with a registry of its
 * own (per container, so apps built side by side in tests never collide). Call after Database is bound.
 */
export function registerMetrics(c: DependencyContainer, options: { defaultMetrics?: boolean } = {}): PromMetrics {
  const db = c.isRegistered(Database, true) ? resolve(c, Database) : undefined
  const metrics = new PromMetrics({ poolStats: db?.poolStats && (() => db.poolStats?.()), defaultMetrics: options.defaultMetrics })
  bindValue(c, Metrics, metrics)
  bindValue(c, HttpMetrics, metrics)
  bindValue(c, MetricsExporter, metrics)
  return metrics
}
