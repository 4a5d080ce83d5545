import * as vscode from 'vscode';
import { code, Markdown, md, paragraph } from '../../core/markdown';

/**
 * Builds a row's Markdown tooltip from values that are always text (core/markdown.ts escapes them
 * by construction: names, comments and errors cannot become markup, and a line break in a key name
 * shows as `\n`). Nothing passed here may be a secret: callers hand in masked connection strings only.
 */
export class Tooltip {
  private readonly parts: Markdown[] = [];

  title(text: string, kind?: string): this {
    this.parts.push(kind ? md`**${text}** · ${kind}\n\n` : md`**${text}**\n\n`);
    return this;
  }

  /** `label: value`, skipped when there is no value. */
  field(label: string, value: string | number | null | undefined): this {
    if (value === undefined || value === null || value === '') return this;
    this.parts.push(md`${label}: ${String(value)}  \n`);
    return this;
  }

  /** `label: value` with the value as code (connection strings, types, expressions, keys). */
  code(label: string, value: string | null | undefined): this {
    if (value === undefined || value === null || value === '') return this;
    this.parts.push(md`${label}: ${code(value)}  \n`);
    return this;
  }

  /** A paragraph of free text (a description or comment), its own line breaks kept. */
  note(text: string | null | undefined): this {
    if (!text) return this;
    this.parts.push(md`\n\n${paragraph(text.length > 500 ? `${text.slice(0, 499)}…` : text)}`);
    return this;
  }

  get markdown(): vscode.MarkdownString {
    return new vscode.MarkdownString(Markdown.join(this.parts).value);
  }
}
