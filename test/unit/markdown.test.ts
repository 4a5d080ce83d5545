import assert from 'node:assert/strict';
import { code, escapeInline, Markdown, md, paragraph, table, visibleControls } from '../../src/core/markdown';

/** What a reader sees of inline Markdown made by escapeInline: the escapes and entities undone. */
const shown = (markdown: string) => markdown.replace(/&nbsp;/g, ' ').replace(/\\([!-/:-@[-`{-~])/g, '$1');

describe('Markdown built by construction (every tooltip)', () => {
  it('keeps a value with a line break on one line, shown as \\n, inside bold text', () => {
    const title = md`**${'**line1\nline2**'}** · string`;
    assert.ok(!title.value.includes('\n'), 'a line break in a value would end the bold span and the paragraph');
    // `\\n` in Markdown is an escaped backslash and an n: the reader sees \n.
    assert.equal(title.value, '**\\*\\*line1\\\\nline2\\*\\*** · string');
    assert.equal(shown(escapeInline('**line1\nline2**')), '**line1\\nline2**');
  });

  it('turns every kind of markup in a value into text: links, command links, images, HTML, entities, icons, headings, lists', () => {
    const hostile = [
      '[click](command:ogelbase.platform.signOut)',
      '![x](https://evil.test/p.png)',
      '<img src=x onerror=alert(1)>',
      '&lt;script&gt;',
      '$(alert) icon',
      '# heading',
      '- item',
      '1. item',
      '> quote',
      '`code`',
      'https://autolink.test/path',
      'a | b',
      '~~strike~~',
      '_under_',
    ];
    for (const text of hostile) {
      const out = escapeInline(text);
      // Nothing a Markdown parser acts on is left bare: every ASCII punctuation character is escaped.
      const bare = out.replace(/&nbsp;/g, '').replace(/\\[!-/:-@[-`{-~]/g, '');
      assert.doesNotMatch(bare, /[!-/:-@[-`{-~]/, `${JSON.stringify(text)} became ${out}`);
      assert.equal(shown(out), text, 'the reader sees the value as it is');
    }
  });

  it('shows control characters as escapes and keeps runs of spaces', () => {
    assert.equal(visibleControls('a\r\nb\tc\u0000d\u001be\u2028'), 'a\\r\\nb\\tc\\x00d\\x1be\\u2028');
    assert.equal(escapeInline('a  b'), 'a&nbsp;&nbsp;b');
    assert.equal(escapeInline(' lead'), '&nbsp;lead');
  });

  it('keeps the line breaks of a paragraph as breaks, and escapes each line', () => {
    assert.equal(paragraph('# one\n\n- two\r\nthree').value, '\\# one  \n  \n\\- two  \nthree');
  });

  it('fences a code span with more backticks than it holds, one line, cut when long', () => {
    assert.equal(code('plain').value, '`plain`');
    assert.equal(code('a `b` c').value, '``a `b` c``');
    assert.equal(code('`edge').value, '`` `edge ``');
    assert.equal(code('x\ny').value, '`x\\ny`');
    assert.equal(code('z'.repeat(400)).value.length, 300 + 2);
  });

  it('builds tables whose cells cannot break the table', () => {
    const t = table(['A', 'B'], [['x | y', 'line\nbreak'], [Markdown.raw('$(pass)'), 3]]);
    assert.equal(t.value, '| A | B |\n|---|---|\n| x \\| y | line\\\\nbreak |\n| $(pass) | 3 |');
  });

  it('lets only code written here be raw markup: interpolated Markdown stays as built', () => {
    const inner = md`**${'a*b'}**`;
    assert.equal(md`${inner} and ${'c_d'}`.value, '**a\\*b** and c\\_d');
  });
});
