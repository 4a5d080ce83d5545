import type { PlanResult } from '../protocol/pg-results';
import { exclusive, nodeTitle, planText, type PlanNode } from '../pg-shared/plan-text';
import { tabs } from '../pg-shared/ui';
import { h, setContent } from '../shared/dom';

/** The costliest nodes: by their own time when analysed, else by their own cost. */
function hottest(root: PlanNode, analyzed: boolean, count = 3): Set<PlanNode> {
  const all: PlanNode[] = [];
  const visit = (n: PlanNode) => (all.push(n), (n.Plans ?? []).forEach(visit));
  visit(root);
  const weight = (n: PlanNode) => (analyzed ? (exclusive(n).time ?? 0) : exclusive(n).cost);
  return new Set(all.filter((n) => weight(n) > 0).sort((a, b) => weight(b) - weight(a)).slice(0, count));
}

/**
 * A readable plan: the node tree (type, relation, estimated and actual rows, cost or time, each
 * node's own share), the costliest nodes marked, and the plan's text and JSON as PostgreSQL gave them.
 */
export function planView(plan: PlanResult): HTMLElement {
  const root = (plan.json as [{ Plan: PlanNode; 'Planning Time'?: number; 'Execution Time'?: number }])[0];
  const hot = hottest(root.Plan, plan.analyzed);
  const total = plan.analyzed ? (root.Plan['Actual Total Time'] ?? 0) * (root.Plan['Actual Loops'] ?? 1) : root.Plan['Total Cost'];
  const node = (n: PlanNode): HTMLElement => {
    const own = exclusive(n);
    const weight = plan.analyzed ? (own.time ?? 0) : own.cost;
    const share = total > 0 ? Math.round((weight / total) * 100) : 0;
    const facts = [
      `rows ${n['Plan Rows'].toLocaleString('en-US')} est.`,
      n['Actual Rows'] !== undefined ? `${n['Actual Rows'].toLocaleString('en-US')} actual × ${n['Actual Loops']} loops` : null,
      plan.analyzed ? `${(own.time ?? 0).toFixed(2)} ms own` : `cost ${n['Startup Cost'].toFixed(2)}..${n['Total Cost'].toFixed(2)}`,
      `${share}%`,
    ].filter(Boolean);
    const detail = [n['Index Cond'] && `Index Cond: ${n['Index Cond']}`, n['Hash Cond'] && `Hash Cond: ${n['Hash Cond']}`, n.Filter && `Filter: ${n.Filter}`, n['Sort Key'] && `Sort Key: ${n['Sort Key'].join(', ')}`].filter(Boolean) as string[];
    return h(
      'li',
      { className: `plan-node${hot.has(n) ? ' hot' : ''}`, attrs: { 'aria-label': `${nodeTitle(n)}${hot.has(n) ? ' (costly)' : ''}` } },
      h('div', { className: 'plan-head' }, h('span', { className: 'plan-title', text: nodeTitle(n) }), h('span', { className: 'plan-facts muted', text: facts.join(' · ') }), hot.has(n) ? h('span', { className: 'badge hot-badge', text: 'costly' }) : null),
      h('div', { className: 'plan-bar' }, h('span', { className: `plan-fill w${Math.min(10, Math.ceil(share / 10))}` })),
      ...detail.map((d) => h('div', { className: 'plan-detail mono muted', text: d })),
      n.Plans?.length ? h('ul', {}, ...n.Plans.map(node)) : null,
    );
  };
  const body = h('div', { className: 'plan-body' });
  const times = [root['Planning Time'] !== undefined ? `planning ${root['Planning Time'].toFixed(3)} ms` : null, root['Execution Time'] !== undefined ? `execution ${root['Execution Time'].toFixed(3)} ms` : null].filter(Boolean).join(' · ');
  const views: Record<string, () => Node> = {
    tree: () => h('div', {}, h('p', { className: 'muted', text: `${plan.analyzed ? 'EXPLAIN ANALYZE (ran, then rolled back)' : 'EXPLAIN (estimates; nothing ran)'}${times ? ` · ${times}` : ''}` }), h('ul', { className: 'plan-tree', attrs: { role: 'tree', 'aria-label': 'Query plan' } }, node(root.Plan))),
    text: () => h('pre', { className: 'value mono', attrs: { 'aria-label': 'Plan text' }, text: plan.text || planText(root) }),
    json: () => h('pre', { className: 'value mono', attrs: { 'aria-label': 'Plan JSON' }, text: JSON.stringify(plan.json, null, 2) }),
  };
  const bar = tabs('Plan views', [['tree', 'Plan'], ['text', 'Text'], ['json', 'JSON']], 'tree', (id) => setContent(body, views[id]!()));
  setContent(body, views.tree!());
  return h('div', { className: 'plan' }, bar.element, body);
}
