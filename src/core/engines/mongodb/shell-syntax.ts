/**
 * What people type into a query bar, as JSON text Extended JSON can read: mongosh's helpers
 * (`ObjectId("…")`, `ISODate("…")`, `new Date(…)`, `NumberLong(…)`, `NumberDecimal("…")`, `UUID("…")`,
 * `BinData(4, "…")`, `Timestamp(t, i)`, `MinKey`/`MaxKey`), regular expression literals (`/ab+c/i`),
 * unquoted keys (`{name: 1}`, `{a.b: 1}`) and single-quoted strings. Plain JSON is not sent here:
 * this runs only when JSON.parse has failed, and its mistakes are reported at their position in
 * the text as typed. Pure code (no driver): the result is read by EJSON.parse in canonical mode.
 */
export class ShellSyntaxError extends Error {
  constructor(
    readonly problem: string,
    readonly position: number,
  ) {
    super(problem);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const IDENTIFIER = /[A-Za-z_$][\w$]*(?:\.[\w$]+)*/y;
const show = (c: string | undefined) => (c === undefined ? 'the end of the text' : `'${c}'`);
const REGEX_OPTIONS = 'ilmsux';

type Arg = { kind: 'string'; value: string } | { kind: 'number'; value: string } | { kind: 'json'; value: string };

/** Rewrites shell-style text as JSON text; throws ShellSyntaxError at the first mistake. */
export function shellToJson(text: string): string {
  let i = 0;
  const stop = (problem: string, at = i): never => {
    throw new ShellSyntaxError(problem, at);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r\u00a0\ufeff'.includes(text[i]!)) i++;
  };

  const quoted = (): string => {
    const quote = text[i]!;
    const start = i++;
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) stop(`a string is not closed (missing ${quote})`, start);
      if (c === quote) {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', "'": "'", '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) stop(`invalid escape sequence \\u${hex}`);
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && e in simple) {
          out += simple[e];
          i += 2;
        } else {
          stop(`invalid escape sequence \\${e ?? ''}`);
        }
        continue;
      }
      if (c! < ' ') stop('a string holds a raw line break or control character (write \\n)');
      out += c;
      i++;
    }
  };

  const number = (): string | undefined => {
    NUMBER.lastIndex = i;
    const m = NUMBER.exec(text);
    if (!m) return undefined;
    i = NUMBER.lastIndex;
    return m[0];
  };

  const regex = (): string => {
    const start = i++;
    let pattern = '';
    let inClass = false;
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n' || c === '\r') stop('a regular expression is not closed (missing /)', start);
      if (c === '\\') {
        pattern += c + (text[i + 1] ?? '');
        i += 2;
        continue;
      }
      if (c === '[') inClass = true;
      else if (c === ']') inClass = false;
      else if (c === '/' && !inClass) break;
      pattern += c;
      i++;
    }
    i++; // the closing slash
    let options = '';
    while (/[A-Za-z]/.test(text[i] ?? '')) {
      const flag = text[i]!;
      if (!REGEX_OPTIONS.includes(flag)) stop(`the regular expression option '${flag}' is not one MongoDB knows (use i, m, s, x, l or u)`);
      if (!options.includes(flag)) options += flag;
      i++;
    }
    if (pattern === '') stop('a regular expression cannot be empty', start);
    return regexJson(pattern, options);
  };

  /** A helper's arguments: strings, numbers (a leading minus allowed) or a { } document. */
  const args = (name: string, start: number): Arg[] => {
    ws();
    if (text[i] !== '(') return [];
    i++;
    const list: Arg[] = [];
    ws();
    if (text[i] === ')') {
      i++;
      return list;
    }
    for (;;) {
      ws();
      const c = text[i];
      if (c === '"' || c === "'") list.push({ kind: 'string', value: quoted() });
      else if (c === '{') list.push({ kind: 'json', value: value(1) });
      else {
        const n = number();
        if (n === undefined) stop(`${name}(…) takes strings or numbers, found ${show(c)}`);
        list.push({ kind: 'number', value: n! });
      }
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ')') {
        i++;
        return list;
      }
      stop(`expected ',' or ')' in ${name}(…), found ${show(text[i])}`);
    }
    return stop('unreachable', start);
  };

  const helper = (start: number): string => {
    if (text.startsWith('new', i) && !/[\w$]/.test(text[i + 3] ?? '')) {
      i += 3;
      ws();
    }
    IDENTIFIER.lastIndex = i;
    const name = IDENTIFIER.exec(text)?.[0];
    if (!name) return stop(`unexpected ${show(text[i])}`);
    const at = i;
    i = IDENTIFIER.lastIndex;
    const build = HELPERS[name];
    if (!build) return stop(`unknown function ${name}(…): write Extended JSON such as {"$oid": "…"} or {"$date": "…"}`, at);
    const list = args(name, at);
    try {
      return build(list);
    } catch (error) {
      return stop(`${name}(…): ${(error as Error).message}`, start);
    }
  };

  const value = (depth: number): string => {
    if (depth > 200) stop('nesting is too deep');
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      const parts: string[] = [];
      ws();
      if (text[i] === close) {
        i++;
        return c + close;
      }
      for (;;) {
        ws();
        let key = '';
        if (c === '{') {
          const k = text[i];
          if (k === '"' || k === "'") key = quoted();
          else {
            IDENTIFIER.lastIndex = i;
            const m = IDENTIFIER.exec(text);
            if (!m) stop(`expected a key, found ${show(k)}`);
            key = m![0];
            i = IDENTIFIER.lastIndex;
          }
          ws();
          if (text[i] !== ':') stop(`expected ':' after the key, found ${show(text[i])}`);
          i++;
        }
        const v = value(depth + 1);
        parts.push(c === '{' ? `${JSON.stringify(key)}:${v}` : v);
        ws();
        if (text[i] === ',') {
          i++;
          ws();
          if (text[i] === close) stop(`a trailing comma before '${close}' is not allowed`);
          continue;
        }
        if (text[i] === close) {
          i++;
          return c + parts.join(',') + close;
        }
        stop(`expected ',' or '${close}', found ${show(text[i])}`);
      }
    }
    if (c === '"' || c === "'") return JSON.stringify(quoted());
    if (c === '/') return regex();
    const n = number();
    if (n !== undefined) return n;
    for (const literal of ['true', 'false', 'null']) {
      if (text.startsWith(literal, i) && !/[\w$]/.test(text[i + literal.length] ?? '')) {
        i += literal.length;
        return literal;
      }
    }
    const special = /^(-?Infinity|NaN)\b/.exec(text.slice(i, i + 10))?.[1];
    if (special) {
      i += special.length;
      return `{"$numberDouble":"${special}"}`;
    }
    if (c !== undefined && /[A-Za-z_$]/.test(c)) return helper(i);
    return stop(c === undefined ? 'the text ends where a value was expected' : `unexpected ${show(c)}`);
  };

  const out = value(0);
  ws();
  if (i < text.length) stop(`unexpected ${show(text[i])} after the end of the value`);
  return out;
}

function regexJson(pattern: string, options: string): string {
  const sorted = [...options].sort().join('');
  return `{"$regularExpression":{"pattern":${JSON.stringify(pattern)},"options":"${sorted}"}}`;
}

const one = (list: Arg[], what: string): Arg => {
  if (list.length !== 1) throw new Error(`takes one argument, ${what}`);
  return list[0]!;
};
const integerText = (a: Arg): string => {
  const text = a.value.trim();
  if (!/^-?\d+$/.test(text)) throw new Error(`${JSON.stringify(a.value)} is not a whole number`);
  return text;
};

/** Each helper builds the Extended JSON of its value (checked again by EJSON.parse). */
const HELPERS: Record<string, (list: Arg[]) => string> = {
  ObjectId: (list) => {
    const a = one(list, 'the 24 hex digits');
    if (a.kind !== 'string' || !/^[0-9a-fA-F]{24}$/.test(a.value)) throw new Error(`${JSON.stringify(a.value)} is not 24 hex digits`);
    return `{"$oid":${JSON.stringify(a.value.toLowerCase())}}`;
  },
  ISODate: (list) => date(list),
  Date: (list) => date(list),
  NumberLong: (list) => `{"$numberLong":"${integerText(one(list, 'a whole number'))}"}`,
  Long: (list) => `{"$numberLong":"${integerText(one(list, 'a whole number'))}"}`,
  NumberInt: (list) => `{"$numberInt":"${integerText(one(list, 'a whole number'))}"}`,
  Int32: (list) => `{"$numberInt":"${integerText(one(list, 'a whole number'))}"}`,
  NumberDecimal: (list) => `{"$numberDecimal":${JSON.stringify(one(list, 'the number as a string').value)}}`,
  Decimal128: (list) => `{"$numberDecimal":${JSON.stringify(one(list, 'the number as a string').value)}}`,
  Double: (list) => {
    const a = one(list, 'a number');
    if (a.kind !== 'number') throw new Error('takes a number');
    return `{"$numberDouble":${JSON.stringify(String(Number(a.value)))}}`;
  },
  UUID: (list) => `{"$uuid":${JSON.stringify(one(list, 'the UUID as a string').value)}}`,
  BinData: (list) => {
    const [subtype, data] = list;
    if (list.length !== 2 || subtype?.kind !== 'number' || data?.kind !== 'string') throw new Error('takes a subtype number and a base64 string');
    const n = Number(subtype.value);
    if (!Number.isInteger(n) || n < 0 || n > 255) throw new Error('the subtype is a number from 0 to 255');
    return `{"$binary":{"base64":${JSON.stringify(data.value)},"subType":"${n.toString(16).padStart(2, '0')}"}}`;
  },
  Timestamp: (list) => {
    if (list.length === 1 && list[0]!.kind === 'json') {
      const o = JSON.parse(list[0]!.value) as { t?: unknown; i?: unknown };
      return `{"$timestamp":{"t":${Number(o.t)},"i":${Number(o.i)}}}`;
    }
    if (list.length !== 2) throw new Error('takes the seconds and the increment');
    return `{"$timestamp":{"t":${integerText(list[0]!)},"i":${integerText(list[1]!)}}}`;
  },
  MinKey: () => '{"$minKey":1}',
  MaxKey: () => '{"$maxKey":1}',
  RegExp: (list) => {
    const [pattern, options] = list;
    if (pattern?.kind !== 'string' || (options !== undefined && options.kind !== 'string') || list.length > 2) throw new Error('takes a pattern string and an options string');
    const bad = [...(options?.value ?? '')].find((c) => !REGEX_OPTIONS.includes(c));
    if (bad) throw new Error(`the option '${bad}' is not one MongoDB knows (use i, m, s, x, l or u)`);
    return regexJson(pattern.value, [...new Set(options?.value ?? '')].join(''));
  },
};

function date(list: Arg[]): string {
  if (list.length === 0) return `{"$date":${JSON.stringify(new Date().toISOString())}}`;
  const a = one(list, 'a date string or milliseconds since 1970');
  if (a.kind === 'number') return `{"$date":{"$numberLong":"${integerText(a)}"}}`;
  if (a.kind !== 'string' || Number.isNaN(Date.parse(a.value))) throw new Error(`${JSON.stringify(a.value)} is not a date (write "2024-01-31T00:00:00Z")`);
  return `{"$date":${JSON.stringify(new Date(a.value).toISOString())}}`;
}
