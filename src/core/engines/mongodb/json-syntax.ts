/**
 * Finds where JSON text stops being JSON. JSON.parse's messages differ between runtimes and V8
 * versions (Node 20 says "Unexpected token '}', "{"a": }" is not valid JSON", with no position; Bun
 * words it another way), so a filter typed by hand gets its own message: what is wrong and where.
 * Only called after JSON.parse has failed, so speed does not matter.
 */
export interface JsonSyntaxProblem {
  problem: string;
  position: number;
  line: number;
  column: number;
}

class Stop {
  constructor(readonly problem: string, readonly position: number) {}
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const show = (c: string | undefined) => (c === undefined ? 'the end of the text' : `'${c}'`);

export function locateJsonError(text: string): JsonSyntaxProblem | undefined {
  let i = 0;
  const stop = (problem: string): never => {
    throw new Stop(problem, i);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const string = () => {
    i++; // the opening quote
    for (;;) {
      const c = text[i];
      if (c === undefined) stop('a string is not closed (missing ")');
      if (c === '"') return void i++;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u' ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6)) : !'"\\/bfnrt'.includes(e ?? 'x')) stop(`invalid escape sequence \\${e ?? ''}`);
        i += e === 'u' ? 6 : 2;
        continue;
      }
      if (c! < ' ') stop('a string holds a raw line break or control character (write \\n)');
      i++;
    }
  };
  const value = (depth: number): void => {
    if (depth > 200) stop('nesting is too deep');
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) return void i++;
      for (;;) {
        ws();
        if (c === '{') {
          if (text[i] !== '"') stop(`expected a key in double quotes, found ${show(text[i])}`);
          string();
          ws();
          if (text[i] !== ':') stop(`expected ':' after the key, found ${show(text[i])}`);
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === close) stop(`a trailing comma before '${close}' is not allowed`);
          continue;
        }
        if (text[i] === close) return void i++;
        stop(`expected ',' or '${close}', found ${show(text[i])}`);
      }
    }
    if (c === '"') return string();
    NUMBER.lastIndex = i;
    if (NUMBER.test(text)) return void (i = NUMBER.lastIndex);
    for (const literal of ['true', 'false', 'null']) if (text.startsWith(literal, i)) return void (i += literal.length);
    stop(c === undefined ? 'the text ends where a value was expected' : c === "'" ? "strings need double quotes, not '" : `unexpected ${show(c)}`);
  };
  try {
    value(0);
    ws();
    if (i < text.length) stop(`unexpected ${show(text[i])} after the end of the value`);
    return undefined;
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
    const before = text.slice(0, e.position);
    const line = before.split('\n').length;
    return { problem: e.problem, position: e.position, line, column: e.position - before.lastIndexOf('\n') };
  }
}
