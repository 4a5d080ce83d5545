import * as vscode from 'vscode';

/**
 * Builds a Markdown tooltip in which every value from the platform or a database is text, never
 * Markdown: names go through `appendText` (escaped), technical strings become code spans. Nothing
 * passed here may be a secret: callers hand in masked connection strings only.
 */
export class Tooltip {
  readonly markdown = new vscode.MarkdownString();

  title(text: string, kind?: string): this {
    this.markdown.appendMarkdown('**');
    this.markdown.appendText(text);
    this.markdown.appendMarkdown('**');
    if (kind) this.markdown.appendText(` · ${kind}`);
    this.markdown.appendMarkdown('\n\n');
    return this;
  }

  /** `label: value`, skipped when there is no value. */
  field(label: string, value: string | number | null | undefined): this {
    if (value === undefined || value === null || value === '') return this;
    this.markdown.appendMarkdown(`${label}: `);
    this.markdown.appendText(String(value));
    this.markdown.appendMarkdown('  \n');
    return this;
  }

  /** `label: value` with the value as code (connection strings, types, expressions, keys). */
  code(label: string, value: string | null | undefined): this {
    if (value === undefined || value === null || value === '') return this;
    const text = value.replace(/[`\r\n]+/g, ' ');
    const shown = text.length > 300 ? `${text.slice(0, 299)}…` : text;
    this.markdown.appendMarkdown(`${label}: \`${shown}\`  \n`);
    return this;
  }

  /** A paragraph of free text (a description or comment). */
  note(text: string | null | undefined): this {
    if (!text) return this;
    this.markdown.appendMarkdown('\n\n');
    this.markdown.appendText(text.length > 500 ? `${text.slice(0, 499)}…` : text);
    return this;
  }
}
