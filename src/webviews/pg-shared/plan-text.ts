/** One node of PostgreSQL's EXPLAIN (FORMAT JSON) plan (the fields used here). */
export interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  Schema?: string;
  Alias?: string;
  'Index Name'?: string;
  'Join Type'?: string;
  Strategy?: string;
  'Startup Cost': number;
  'Total Cost': number;
  'Plan Rows': number;
  'Plan Width': number;
  'Actual Startup Time'?: number;
  'Actual Total Time'?: number;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Filter?: string;
  'Index Cond'?: string;
  'Hash Cond'?: string;
  'Join Filter'?: string;
  'Sort Key'?: string[];
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

/** `Index Scan using orders_pkey on orders o`: the node as PostgreSQL's text format heads it. */
export function nodeTitle(node: PlanNode): string {
  let title = node['Node Type'];
  if (node['Join Type'] && node['Node Type'].includes('Join')) title = `${node['Join Type']} ${title}`.replace('Inner ', '');
  if (node.Strategy === 'Hashed' && node['Node Type'] === 'Aggregate') title = 'HashAggregate';
  if (node.Strategy === 'Sorted' && node['Node Type'] === 'Aggregate') title = 'GroupAggregate';
  if (node['Index Name']) title += ` using ${node['Index Name']}`;
  if (node['Relation Name']) title += ` on ${node['Relation Name']}${node.Alias && node.Alias !== node['Relation Name'] ? ` ${node.Alias}` : ''}`;
  return title;
}

/** The node's own time (ANALYZE) or cost: its total less its children's, per loop times loops. */
export function exclusive(node: PlanNode): { time: number | null; cost: number } {
  const children = node.Plans ?? [];
  const cost = Math.max(0, node['Total Cost'] - children.reduce((n, c) => n + c['Total Cost'], 0));
  if (node['Actual Total Time'] === undefined) return { time: null, cost };
  const total = (n: PlanNode) => (n['Actual Total Time'] ?? 0) * (n['Actual Loops'] ?? 1);
  return { time: Math.max(0, total(node) - children.reduce((n, c) => n + total(c), 0)), cost };
}

const fixed = (n: number, digits = 2) => n.toFixed(digits);

/** PostgreSQL's text format, rebuilt from the JSON plan (EXPLAIN ANALYZE runs the statement once, so it is asked once, in JSON). */
export function planText(root: { Plan: PlanNode; 'Planning Time'?: number; 'Execution Time'?: number }): string {
  const lines: string[] = [];
  const visit = (node: PlanNode, depth: number) => {
    const pad = depth === 0 ? '' : `${' '.repeat(depth * 6 - 4)}->  `;
    const detail = ' '.repeat(depth === 0 ? 2 : depth * 6 + 2);
    let head = `${pad}${nodeTitle(node)}  (cost=${fixed(node['Startup Cost'])}..${fixed(node['Total Cost'])} rows=${node['Plan Rows']} width=${node['Plan Width']})`;
    if (node['Actual Total Time'] !== undefined) {
      head += ` (actual time=${fixed(node['Actual Startup Time'] ?? 0, 3)}..${fixed(node['Actual Total Time'], 3)} rows=${node['Actual Rows']} loops=${node['Actual Loops']})`;
    }
    lines.push(head);
    for (const key of ['Index Cond', 'Hash Cond', 'Join Filter', 'Filter'] as const) if (node[key]) lines.push(`${detail}${key}: ${node[key]}`);
    if (node['Sort Key']) lines.push(`${detail}Sort Key: ${node['Sort Key'].join(', ')}`);
    if (node['Rows Removed by Filter'] !== undefined) lines.push(`${detail}Rows Removed by Filter: ${node['Rows Removed by Filter']}`);
    for (const child of node.Plans ?? []) visit(child, depth + 1);
  };
  visit(root.Plan, 0);
  if (root['Planning Time'] !== undefined) lines.push(`Planning Time: ${fixed(root['Planning Time'], 3)} ms`);
  if (root['Execution Time'] !== undefined) lines.push(`Execution Time: ${fixed(root['Execution Time'], 3)} ms`);
  return lines.join('\n');
}
