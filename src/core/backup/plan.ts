import type { PlanItem, PlanSection } from './types';

/** How many items a plan or report lists; the counts stay exact beyond it. */
export const LISTED_ITEMS = 200;

/** A plan section from its items: the count of all of them, the first few listed. */
export function section(items: PlanItem[], count = items.length): PlanSection {
  return { count, items: items.slice(0, LISTED_ITEMS), truncated: count > Math.min(items.length, LISTED_ITEMS) };
}
