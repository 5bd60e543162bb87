import { token } from '../../shared/di.ts'

/** What the HTTP edge reports per request (the core reports through the shared Metrics port). */
export interface HttpMetrics {
  /** `route` is the route template (`/api/sessions/:id`), or `unmatched`; never the raw path. */
  httpRequest(labels: { method: string; route: string; status: number }, seconds: number): void
}
export const HttpMetrics = token<HttpMetrics>('HttpMetrics')

/** The scrape side: everything collected so far, in the Prometheus text format. */
export interface MetricsExporter {
  readonly contentType: string
  render(): Promise<string>
}
export const MetricsExporter = token<MetricsExporter>('MetricsExporter')
