/** CSS imported by a webview's main.ts: esbuild bundles it into dist/webviews/<name>.css. */
declare module '*.css';
