/*
 * The @vscode-elements components the inspectors use, imported one by one so a bundle carries only
 * these (the library's own bundle is 230 KB). Lit styles them through adoptedStyleSheets, which a
 * CSP without 'unsafe-inline' allows; <vscode-icon> reads the codicon stylesheet the HTML shell
 * links with id "vscode-codicon-stylesheet".
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import '@vscode-elements/elements/dist/vscode-split-layout/index.js';
import '@vscode-elements/elements/dist/vscode-icon/index.js';
import '@vscode-elements/elements/dist/vscode-divider/index.js';

/** The value of a <vscode-textfield>, <vscode-textarea> or <vscode-single-select>. */
export const valueOf = (element: Element) => (element as HTMLInputElement).value ?? '';
export const setValue = (element: Element, value: string) => ((element as HTMLInputElement).value = value);
