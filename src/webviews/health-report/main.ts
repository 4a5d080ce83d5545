import type { HealthHostMessage, HealthWebviewMessage } from '../protocol/health-report';
import './style.css';

declare function acquireVsCodeApi(): { postMessage(message: HealthWebviewMessage): void };

const vscode = acquireVsCodeApi();
const root = document.getElementById('root')!;

/** Builds an element whose text is set with textContent: nothing from the server is ever parsed as HTML. */
function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function table(headers: string[], rows: string[][], classOf?: (row: string[]) => string): HTMLTableElement {
  const t = el('table');
  const head = t.createTHead().insertRow();
  for (const h of headers) head.appendChild(el('th', h));
  const body = t.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    if (classOf) tr.className = classOf(row);
    for (const cell of row) tr.appendChild(el('td', cell));
  }
  return t;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

function render(message: Extract<HealthHostMessage, { type: 'report' }>): void {
  const { health, metrics, platform } = message;
  root.replaceChildren();
  const header = el('header');
  header.appendChild(el('h1', `${platform.name}: ${health.status}`, `status-${health.status}`));
  header.appendChild(el('p', `${platform.url} · checked ${new Date(health.timestamp).toLocaleString()}`, 'muted'));
  const refresh = el('button', 'Refresh');
  refresh.addEventListener('click', () => vscode.postMessage({ type: 'refresh' }));
  const log = el('button', 'Show Log', 'secondary');
  log.addEventListener('click', () => vscode.postMessage({ type: 'showLog' }));
  header.append(refresh, log);
  root.appendChild(header);

  const services = el('section');
  services.id = 'health';
  services.appendChild(el('h2', 'Services'));
  const rows = Object.entries(health.services).map(([name, s]) => [name, s.status, `${s.latency} ms`, s.error ?? '']);
  services.appendChild(table(['Service', 'Status', 'Latency', 'Error'], rows, (row) => `status-${row[1]}`));
  root.appendChild(services);

  if (metrics) {
    const section = el('section');
    section.id = 'metrics';
    section.appendChild(el('h2', 'Metrics'));
    section.appendChild(el('p', `Up ${Math.round(metrics.uptime)} s · RSS ${mib(metrics.memory.rss)} · heap ${mib(metrics.memory.heapUsed)} of ${mib(metrics.memory.heapTotal)}`));
    const connections = Object.entries(metrics.connections).map(([engine, f]) => [engine, String(f.active), String(f.idle), String(f.waiting)]);
    section.appendChild(table(['Connections', 'Active', 'Idle', 'Waiting'], connections));
    if (metrics.circuits.length > 0) {
      const circuits = metrics.circuits.map((c) => [c.name, c.state, String(c.failures), c.retryInMs > 0 ? `${Math.ceil(c.retryInMs / 1000)} s` : '']);
      section.appendChild(table(['Circuit', 'State', 'Failures', 'Retry in'], circuits, (row) => `circuit-${row[1]}`));
    } else {
      section.appendChild(el('p', 'No database circuit has been used yet.', 'muted'));
    }
    root.appendChild(section);
  }
  document.getElementById(message.focus)?.scrollIntoView();
}

window.addEventListener('message', (event: MessageEvent<HealthHostMessage>) => {
  const message = event.data;
  if (message.type === 'report') render(message);
  else if (message.type === 'loading') root.replaceChildren(el('p', 'Checking the platform…', 'muted'));
  else if (message.type === 'error') root.replaceChildren(el('p', message.message, 'error'));
});

vscode.postMessage({ type: 'ready' });
