// svhttpd's /metrics: sv list's facts (sv/overview.ts) in Prometheus' text exposition format
// 0.0.4, one series per service and per log service, labelled service="name" ("name/log").

import type { Overview, ServiceFacts } from '../sv/overview.js'

/** The Content-Type Prometheus expects for this format. */
export const METRICS_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

interface Family {
  name: string
  type: 'gauge' | 'counter'
  help: string
  /** the sample's value, or null to leave the service out of this family */
  value: (f: ServiceFacts) => number | null
}

const bool = (b: boolean | null): number | null => b === null ? null : b ? 1 : 0

/** The families, in the order they are written; each name is documented in svhttpd(8). */
export const FAMILIES: readonly Family[] = [
  { name: 'runit_service_supervised', type: 'gauge', help: 'A runsv answered on supervise/ok (1) or not (0).', value: f => f.error === null ? 1 : 0 },
  { name: 'runit_service_up', type: 'gauge', help: './run is running (state run).', value: f => f.state === null ? null : f.state === 'run' ? 1 : 0 },
  { name: 'runit_service_ready', type: 'gauge', help: 'Readiness of the running ./run (services with notification-fd only).', value: f => bool(f.ready) },
  { name: 'runit_service_want_up', type: 'gauge', help: 'The record\'s want: up (1) or down/exit (0).', value: f => f.want === null ? null : f.want === 'up' ? 1 : 0 },
  { name: 'runit_service_normally_up', type: 'gauge', help: 'No ./down file.', value: f => bool(f.normallyUp) },
  { name: 'runit_service_paused', type: 'gauge', help: 'Paused (sv pause).', value: f => bool(f.paused) },
  { name: 'runit_service_uptime_seconds', type: 'gauge', help: 'Seconds since ./run started (state run), else 0.', value: f => f.state === null ? null : f.state === 'run' ? f.seconds : 0 },
  { name: 'runit_service_state_seconds', type: 'gauge', help: 'Seconds in the present state, as sv status counts them.', value: f => f.seconds },
  { name: 'runit_service_since_seconds', type: 'gauge', help: 'Unix time of the last state change (supervise/status).', value: f => f.since },
  { name: 'runit_service_restarts_total', type: 'counter', help: 'Restarts among the deaths in supervise/deaths (runit-ts runsv only).', value: f => f.restarts },
  { name: 'runit_service_last_exit_code', type: 'gauge', help: 'Exit code of the last recorded end of ./run (-1: ended by a signal).', value: f => f.lastExit?.code ?? null },
  { name: 'runit_service_last_exit_signal', type: 'gauge', help: 'Signal that ended ./run last (0: it exited).', value: f => f.lastExit?.signal ?? null },
  { name: 'runit_service_last_exit_time_seconds', type: 'gauge', help: 'Unix time of the last recorded end of ./run.', value: f => f.lastExit?.at ?? null },
  { name: 'runit_service_cpu_seconds_total', type: 'counter', help: 'CPU seconds: the service\'s cgroup where it has one, else the main process.', value: f => f.cgroup?.cpuSeconds ?? f.cpuSeconds },
  { name: 'runit_service_memory_bytes', type: 'gauge', help: 'Memory: the cgroup\'s memory.current (or its processes\' RSS), else the main process\'s RSS.', value: f => f.cgroup?.memoryBytes ?? f.rssBytes },
  { name: 'runit_service_processes', type: 'gauge', help: 'Live processes in the service\'s cgroup (runit-ts runsv with cgroup v2 only).', value: f => f.cgroup?.processes ?? null }
]

/** A label value as the format wants it: backslash, double quote and newline escaped. */
export function labelValue (v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

/** A number as the format writes it (Go's ParseFloat reads it back). */
function sample (n: number): string {
  return Number.isFinite(n) ? String(n) : Number.isNaN(n) ? 'NaN' : n > 0 ? '+Inf' : '-Inf'
}

/** The whole /metrics body. A family with no sample is still declared (HELP, TYPE). */
export function metricsText (o: Overview): string {
  const facts = o.services.flatMap(s => s.log === null ? [s] : [s, s.log])
  let out = ''
  for (const fam of FAMILIES) {
    out += `# HELP ${fam.name} ${fam.help}\n# TYPE ${fam.name} ${fam.type}\n`
    for (const f of facts) {
      const v = fam.value(f)
      if (v !== null) out += `${fam.name}{service="${labelValue(f.name)}"} ${sample(v)}\n`
    }
  }
  return out
}
