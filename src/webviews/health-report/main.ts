import type { MetricsReport } from '../../core/api/types';
import type { HealthHostMessage, HealthWebviewMessage, MetricsSample } from '../protocol/health-report';
import './style.css';

declare function acquireVsCodeApi(): { postMessage(message: HealthWebviewMessage): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;
const SVG = 'http://www.w3.org/2000/svg';

/** Builds an element whose text is set with textContent: nothing from the server is ever parsed as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function table(headers: string[], rows: (string | Node)[][], classOf?: (row: (string | Node)[]) => string): HTMLTableElement {
  const t = el('table');
  const head = t.createTHead().insertRow();
  for (const h of headers) head.appendChild(el('th', h));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    if (classOf) tr.className = classOf(row);
    for (const cell of row) {
      const td = el('td');
      if (typeof cell === 'string') td.textContent = cell;
      else td.appendChild(cell);
      tr.appendChild(td);
    }
  }
  return t;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const time = (iso: string) => new Date(iso).toLocaleTimeString();

function uptime(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** A small line chart of one figure over the samples (active or total connections of an engine). */
function sparkline(values: number[], label: string): SVGSVGElement {
  const width = 160;
  const height = 28;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - (v / max) * (height - 4)).toFixed(1)}`);
  const line = document.createElementNS(SVG, 'polyline');
  line.setAttribute('points', points.length === 1 ? `0,${points[0]!.split(',')[1]} ${width},${points[0]!.split(',')[1]}` : points.join(' '));
  svg.appendChild(line);
  return svg;
}

function metricsSection(metrics: MetricsReport, history: MetricsSample[]): HTMLElement {
  const section = el('section');
  section.id = 'metrics';
  section.appendChild(el('h2', 'Metrics'));
  const { runtime, memory } = metrics;
  section.appendChild(
    el('p', `Measured by ${runtime.name} ${runtime.version} (${runtime.engine}) · up ${uptime(metrics.uptime)} · RSS ${mib(memory.rss)} · heap ${mib(memory.heapUsed)} used of ${mib(memory.heapTotal)}`, 'runtime'),
  );
  const engines = Object.keys(metrics.connections) as (keyof MetricsReport['connections'])[];
  const rows = engines.map((engine) => {
    const f = metrics.connections[engine];
    const totals = history.map((s) => s.connections[engine].active + s.connections[engine].idle);
    const active = history.map((s) => s.connections[engine].active);
    const chart = el('span', undefined, 'charts');
    chart.append(sparkline(totals, `${engine}: open connections over the last ${history.length} samples, now ${f.active + f.idle}`), sparkline(active, `${engine}: active connections, now ${f.active}`));
    return [engine, String(f.active), String(f.idle), String(f.waiting), chart];
  });
  section.appendChild(table(['Connections', 'Active', 'Idle', 'Waiting', `Open / active over ${history.length} sample${history.length === 1 ? '' : 's'}`], rows));
  if (metrics.circuits.length > 0) {
    const circuits = metrics.circuits.map((c) => [c.name, c.state, String(c.failures), c.retryInMs > 0 ? `${Math.ceil(c.retryInMs / 1000)} s` : '']);
    section.appendChild(table(['Circuit', 'State', 'Failures', 'Retry in'], circuits, (row) => `circuit-${String(row[1])}`));
  } else {
    section.appendChild(el('p', 'No database circuit has been used yet.', 'muted'));
  }
  return section;
}

function render(message: Extract<HealthHostMessage, { type: 'report' }>): void {
  const { health, metrics, platform, history, transitions } = message;
  root.replaceChildren();
  const header = el('header');
  const status = message.problem ? 'offline' : health.status;
  header.appendChild(el('h1', `${platform.name}: ${status}`, `status-${status}`));
  const updated = el('p', `${platform.url} · updated ${time(message.updatedAt)}, every ${message.refreshSeconds} s while open · checked by the platform ${time(health.timestamp)}`, 'muted');
  updated.id = 'updated';
  header.appendChild(updated);
  if (message.problem) {
    const stale = el('p', `The last update failed: ${message.problem}. Showing the figures of ${time(message.updatedAt)}.`, 'error stale');
    stale.setAttribute('role', 'alert');
    header.appendChild(stale);
  }
  const refresh = el('button', 'Refresh');
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  const log = el('button', 'Show Log', 'secondary');
  log.addEventListener('click', () => vscode.postMessage({ type: 'showLog' }));
  header.append(refresh, log);
  root.appendChild(header);

  const services = el('section', undefined, message.problem ? 'stale-figures' : undefined);
  services.id = 'health';
  services.appendChild(el('h2', 'Services'));
  const rows = Object.entries(health.services).map(([name, s]) => [name, s.status, `${s.latency} ms`, s.error ?? '']);
  services.appendChild(table(['Service', 'Status', 'Latency', 'Error'], rows, (row) => `status-${String(row[1])}`));
  root.appendChild(services);

  if (metrics) {
    const section = metricsSection(metrics, history);
    if (message.problem) section.classList.add('stale-figures');
    root.appendChild(section);
  } else {
    root.appendChild(el('p', 'The platform does not serve its metrics to you (ENABLE_CONNECTION_METRICS, or your role).', 'muted'));
  }
  if (transitions.length > 0) {
    const section = el('section');
    section.appendChild(el('h2', 'Circuit breaker transitions while this panel was open'));
    section.appendChild(table(['Time', 'Circuit', 'From', 'To'], transitions.map((t) => [time(t.at), t.name, t.from, t.to]).reverse()));
    root.appendChild(section);
  }
}

window.addEventListener('message', (event: MessageEvent<HealthHostMessage>) => {
  const message = event.data;
  if (message.type === 'report') render(message);
  else if (message.type === 'loading') root.replaceChildren(el('p', 'Checking the platform…', 'muted'));
  else if (message.type === 'error') root.replaceChildren(el('p', message.message, 'error'));
});

vscode.postMessage({ type: 'ready' });
