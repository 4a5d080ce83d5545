import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/** The only folder a webview may load from: the bundles, their CSS and the codicon font (esbuild's output). */
export const webviewRoot = (extensionUri: vscode.Uri) => vscode.Uri.joinPath(extensionUri, 'dist', 'webviews');

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
  return { enableScripts: true, enableFindWidget: true, localResourceRoots: [webviewRoot(extensionUri)] };
}

const escape = (text: string) => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** `default-src 'none'`, scripts only with this load's nonce, styles and fonts only from the extension's own files: no inline script or style, no network. */
export function contentSecurityPolicy(webview: vscode.Webview, nonce: string | undefined): string {
  return [
    `default-src 'none'`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    // data: for images only: @vscode-elements' textarea draws its resize grip with one; nothing
    // from a database is ever rendered as an image.
    `img-src ${webview.cspSource} data:`,
    nonce ? `script-src 'nonce-${nonce}'` : `script-src 'none'`,
  ].join('; ');
}

/**
 * The HTML shell of a webview: the strict CSP above with a fresh nonce from crypto.randomBytes, the
 * codicon stylesheet (with the id @vscode-elements' <vscode-icon> looks for), the view's CSS and
 * bundle (`dist/webviews/<bundle>.{css,js}`). Nothing from a database is ever put into this HTML:
 * data arrives by postMessage and is rendered as text.
 */
export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, bundle: string, title: string): string {
  const nonce = randomBytes(18).toString('base64');
  const asset = (...path: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot(extensionUri), ...path));
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, nonce)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${asset('codicons', 'codicon.css')}">
<link rel="stylesheet" href="${asset(`${bundle}.css`)}">
<title>${escape(title)}</title>
</head>
<body>
<main id="root"></main>
<script nonce="${nonce}" src="${asset(`${bundle}.js`)}"></script>
</body>
</html>`;
}

/** A page with one message and no script at all (a panel that could not be restored). */
export function messageHtml(webview: vscode.Webview, extensionUri: vscode.Uri, title: string, message: string): string {
  const css = webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot(extensionUri), 'health-report.css'));
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(webview, undefined)}">
<link rel="stylesheet" href="${css}"><title>${escape(title)}</title></head>
<body><main id="root"><h1>${escape(title)}</h1><p class="error" role="alert">${escape(message)}</p></main></body></html>`;
}
