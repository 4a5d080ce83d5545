/**
 * Every command the extension registers, declared once. A test checks this map against
 * `contributes.commands` in package.json in both directions.
 */
export const CommandIds = {
  signIn: 'ogelbase.platform.signIn',
  signOut: 'ogelbase.platform.signOut',
  switchPlatform: 'ogelbase.platform.switch',
  refresh: 'ogelbase.explorer.refresh',
  addDatabase: 'ogelbase.database.add',
  editDatabase: 'ogelbase.database.edit',
  removeDatabase: 'ogelbase.database.remove',
  testConnection: 'ogelbase.database.testConnection',
  copyConnectionString: 'ogelbase.database.copyConnectionString',
  addLocalConnection: 'ogelbase.local.add',
  showHealthReport: 'ogelbase.health.showReport',
  showMetrics: 'ogelbase.metrics.show',
  openWalkthrough: 'ogelbase.openWalkthrough',
  openSettings: 'ogelbase.openSettings',
  showLog: 'ogelbase.showLog',
  loadMore: 'ogelbase.tree.loadMore',
  retry: 'ogelbase.tree.retry',
  browseDocuments: 'ogelbase.mongodb.browseDocuments',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];

/** Context keys the extension sets, used in `when` clauses of package.json. */
export const ContextKeys = {
  signedIn: 'ogelbase.signedIn',
  platformCount: 'ogelbase.platformCount',
} as const;
