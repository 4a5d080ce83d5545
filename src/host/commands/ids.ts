/**
 * Every command the extension registers, declared once. A test checks this map against
 * `contributes.commands` in package.json in both directions.
 */
export const CommandIds = {
  openSettings: 'ogelbase.openSettings',
  showLog: 'ogelbase.showLog',
} as const;

export type CommandId = (typeof CommandIds)[keyof typeof CommandIds];
