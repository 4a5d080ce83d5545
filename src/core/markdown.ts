/**
 * Markdown built so that no value can become markup: every tooltip of the explorer (tree rows, the
 * status bar) is a `Markdown` value, and the only ways to make one are the `md` template (whose
 * interpolated strings are escaped), `code()`, `table()` and `Markdown.raw` for literal markup
 * written in this code base. A key named `**line1\nline2**` or `[x](command:…)` therefore shows as
 * those characters, never as bold text, a broken paragraph or a link.
 */
export class Markdown {
  private constructor(readonly value: string) {}

  /** Markup written in the code base (never a value from a server or a database). */
  static raw(markup: string): Markdown {
    return new Markdown(markup);
  }

  static join(parts: readonly Markdown[], separator = ''): Markdown {
    return new Markdown(parts.map((p) => p.value).join(separator));
  }

  toString(): string {
    return this.value;
  }
}

export type MarkdownValue = string | number | Markdown;

/** Control characters as the escapes a programmer reads (`\n`, `\t`, `\x1b`), so one line stays one line. */
export function visibleControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    const code = c.charCodeAt(0);
    return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
  });
}

/**
 * Text as inline Markdown: control characters made visible, then every ASCII punctuation character
 * backslash-escaped (CommonMark allows it for all of them, so nothing can open emphasis, a link, a
 * table cell, an HTML tag, an entity, an autolink or a `$(icon)`), and spaces kept as typed.
 */
export function escapeInline(text: string): string {
  return visibleControls(text)
    .replace(/[!-/:-@[-`{-~]/g, (c) => `\\${c}`)
    .replace(/ {2,}/g, (run) => '&nbsp;'.repeat(run.length))
    .replace(/^ /, '&nbsp;');
}

/** Free text (a description, a comment) as paragraphs: its line breaks kept as breaks, everything else escaped. */
export function escapeParagraph(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => escapeInline(line.replace(/\t/g, ' ')))
    .join('  \n');
}

const show = (value: MarkdownValue) => (value instanceof Markdown ? value.value : escapeInline(String(value)));

/** `md\`**${name}**: ${detail}\``: the literal parts are markup, every interpolated string is text. */
export function md(strings: TemplateStringsArray, ...values: MarkdownValue[]): Markdown {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += show(value) + (strings[i + 1] ?? '');
  });
  return Markdown.raw(out);
}

/** A paragraph of free text. */
export const paragraph = (text: string) => Markdown.raw(escapeParagraph(text));

/** A code span: backticks inside are fenced by a longer run, line breaks shown as `\n`, long values cut. */
export function code(text: string, max = 300): Markdown {
  const oneLine = visibleControls(text);
  const shown = oneLine.length > max ? `${oneLine.slice(0, max - 1)}…` : oneLine;
  const longest = Math.max(0, ...[...shown.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = shown.startsWith('`') || shown.endsWith('`') || shown.startsWith(' ') ? ' ' : '';
  return Markdown.raw(`${fence}${pad}${shown}${pad}${fence}`);
}

/** A table whose cells are values (escaped: a `|` or a line break in a cell cannot break the table). */
export function table(headers: readonly string[], rows: readonly (readonly MarkdownValue[])[]): Markdown {
  const line = (cells: readonly MarkdownValue[]) => `| ${cells.map(show).join(' | ')} |`;
  return Markdown.raw([line(headers), `|${headers.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n'));
}
