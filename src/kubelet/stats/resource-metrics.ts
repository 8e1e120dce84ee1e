/**
 * `/metrics/resource`: the kubelet's resource metrics in the Prometheus text format (0.0.4), as
 * metrics-server scrapes them — cumulative CPU seconds and working-set bytes for the node, each
 * pod and each container, container start times, and whether gathering failed. Families are
 * sorted by name and series by label values, floats are written as Go writes them.
 */
import type { Summary } from './types.js';

export const resourceMetricsContentType = 'text/plain; version=0.0.4; charset=utf-8';

interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  series: { labels: [string, string][]; value: number; timestampMs?: number }[];
}

/** A float as Go's strconv.FormatFloat(v, 'g', -1, 64) writes it (Prometheus' text encoder). */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, expText] = v.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  // Shortest 'g': exponent form below 1e-4 and from 1e6 on (Go decides with precision 6).
  if (exp >= -4 && exp < 6) return String(v);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

function renderFamily(f: Family): string {
  if (f.series.length === 0) return '';
  const lines = [`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} ${f.type}`];
  const rows = f.series.map((s) => {
    const labels = [...s.labels].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const key = labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
    return { key, labels, line: `${f.name}${key ? `{${key}}` : ''} ${formatGoFloat(s.value)}${s.timestampMs !== undefined ? ` ${s.timestampMs}` : ''}` };
  });
  // client_golang orders series by label values, in label-name order.
  rows.sort((a, b) => {
    for (let i = 0; i < Math.min(a.labels.length, b.labels.length); i++) {
      const x = a.labels[i]![1];
      const y = b.labels[i]![1];
      if (x !== y) return x < y ? -1 : 1;
    }
    return a.labels.length - b.labels.length;
  });
  return `${lines.join('\n')}\n${rows.map((r) => r.line).join('\n')}\n`;
}

const ms = (time: string) => Date.parse(time);

/** Renders the resource metrics of `summary`; without one (gathering failed) only the scrape error, set. */
export function renderResourceMetrics(summary: Summary | undefined): string {
  const fam = (name: string, type: Family['type'], help: string): Family => ({ name, type, help, series: [] });
  const nodeCpu = fam('node_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the node in core-seconds');
  const nodeMem = fam('node_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the node in bytes');
  const cStart = fam('container_start_time_seconds', 'gauge', '[STABLE] Start time of the container since unix epoch in seconds');
  const cCpu = fam('container_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the container in core-seconds');
  const cMem = fam('container_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the container in bytes');
  const pCpu = fam('pod_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the pod in core-seconds');
  const pMem = fam('pod_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the pod in bytes');
  const scrapeError = fam('resource_scrape_error', 'gauge', '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise');
  scrapeError.series.push({ labels: [], value: summary ? 0 : 1 });
  if (summary) {
    const n = summary.node;
    if (n.cpu?.usageCoreNanoSeconds !== undefined) nodeCpu.series.push({ labels: [], value: n.cpu.usageCoreNanoSeconds / 1e9, timestampMs: ms(n.cpu.time) });
    if (n.memory?.workingSetBytes !== undefined) nodeMem.series.push({ labels: [], value: n.memory.workingSetBytes, timestampMs: ms(n.memory.time) });
    for (const p of summary.pods) {
      const podLabels: [string, string][] = [['pod', p.podRef.name], ['namespace', p.podRef.namespace]];
      for (const c of p.containers) {
        const labels: [string, string][] = [['container', c.name], ...podLabels];
        const start = ms(c.startTime);
        if (start > 0) cStart.series.push({ labels, value: start / 1000 });
        if (c.cpu?.usageCoreNanoSeconds !== undefined) cCpu.series.push({ labels, value: c.cpu.usageCoreNanoSeconds / 1e9, timestampMs: ms(c.cpu.time) });
        if (c.memory?.workingSetBytes !== undefined) cMem.series.push({ labels, value: c.memory.workingSetBytes, timestampMs: ms(c.memory.time) });
      }
      if (p.cpu?.usageCoreNanoSeconds !== undefined) pCpu.series.push({ labels: podLabels, value: p.cpu.usageCoreNanoSeconds / 1e9, timestampMs: ms(p.cpu.time) });
      if (p.memory?.workingSetBytes !== undefined) pMem.series.push({ labels: podLabels, value: p.memory.workingSetBytes, timestampMs: ms(p.memory.time) });
    }
  }
  return [nodeCpu, nodeMem, cStart, cCpu, cMem, pCpu, pMem, scrapeError]
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .map(renderFamily).join('');
}
