/**
 * Extension-host test doubles for the questions and notifications of commands:
 * - `ScriptedPrompts` replaces `explorer.prompts`: answers are queued per kind of question, input
 *   answers go through the command's real `validateInput` (a refused answer is recorded with the
 *   message the user would have seen, and the next queued answer is typed instead, as a user would);
 * - `captureMessages` wraps `vscode.window.show{Information,Warning,Error}Message` (the API object
 *   is shared with the extension under test) so notifications are recorded and resolve at once.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Prompts } from '../../../src/host/prompts';

export type Answer =
  | { kind: 'input'; value: string }
  | { kind: 'pick'; label: string }
  | { kind: 'confirm'; action: string }
  | { kind: 'dismiss' };

export const input = (value: string): Answer => ({ kind: 'input', value });
/** Picks the item whose label (without a leading `$(icon)`) equals or starts with `label`. */
export const pick = (label: string): Answer => ({ kind: 'pick', label });
export const confirm = (action: string): Answer => ({ kind: 'confirm', action });
export const dismiss = (): Answer => ({ kind: 'dismiss' });

export interface Question {
  kind: 'input' | 'pick' | 'confirm';
  title?: string;
  prompt?: string;
  password?: boolean;
  /** Pick: the labels offered. Confirm: the actions offered. */
  choices?: string[];
  message?: string;
  detail?: string;
  /** Input answers `validateInput` refused, with its message. */
  rejected: { value: string; message: string }[];
  /** Input: the value the box opened with (what was typed before, on a retry). */
  value?: string;
  /** Input answers accepted with a warning or information message shown under them. */
  warned?: { value: string; message: string }[];
}

const plainLabel = (label: string) => label.replace(/^\$\([^)]*\)\s*/, '');

export class ScriptedPrompts implements Prompts {
  readonly questions: Question[] = [];
  /** Questions asked with no (or the wrong kind of) answer queued: each one is a test failure. */
  readonly problems: string[] = [];
  private readonly queue: Answer[] = [];

  answer(...answers: Answer[]): this {
    this.queue.push(...answers);
    return this;
  }

  get remaining(): readonly Answer[] {
    return this.queue;
  }

  reset(): void {
    this.questions.length = 0;
    this.problems.length = 0;
    this.queue.length = 0;
  }

  private next(question: Question, kind: Answer['kind']): Answer | undefined {
    this.questions.push(question);
    const answer = this.queue.shift();
    if (!answer) {
      this.problems.push(`unexpected ${question.kind}: ${question.title ?? question.message ?? ''}`);
      return undefined;
    }
    if (answer.kind !== kind && answer.kind !== 'dismiss') {
      this.problems.push(`${question.kind} "${question.title ?? question.message ?? ''}" got a ${answer.kind} answer`);
      return undefined;
    }
    return answer;
  }

  async input(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const question: Question = { kind: 'input', title: options.title, prompt: options.prompt, password: options.password, rejected: [], value: options.value, warned: [] };
    for (let answer = this.next(question, 'input'); ; answer = this.queue.shift()) {
      if (!answer || answer.kind === 'dismiss') return undefined;
      if (answer.kind !== 'input') {
        this.problems.push(`input "${options.title}" refused every typed answer; next answer was a ${answer.kind}`);
        this.queue.unshift(answer);
        return undefined;
      }
      const verdict = await options.validateInput?.(answer.value);
      const message = typeof verdict === 'string' ? verdict : verdict?.message;
      if (!message) return answer.value;
      // As VS Code does: only an Error (or a plain string) blocks Enter; a warning shows and lets the value through.
      if (typeof verdict === 'object' && verdict !== null && verdict.severity !== vscode.InputBoxValidationSeverity.Error) {
        question.warned!.push({ value: answer.value, message });
        return answer.value;
      }
      question.rejected.push({ value: answer.value, message });
    }
  }

  async pick<T extends vscode.QuickPickItem>(items: readonly T[] | Promise<readonly T[]>, options: vscode.QuickPickOptions): Promise<T | undefined> {
    const list = await items;
    const labels = list.map((item) => plainLabel(item.label));
    const answer = this.next({ kind: 'pick', title: options.title, prompt: options.placeHolder, choices: labels, rejected: [] }, 'pick');
    if (!answer || answer.kind !== 'pick') return undefined;
    const found = list.find((item) => plainLabel(item.label) === answer.label) ?? list.find((item) => plainLabel(item.label).startsWith(answer.label));
    if (!found) this.problems.push(`pick "${options.title}": no item "${answer.label}" among ${labels.join(' | ')}`);
    return found;
  }

  async confirm(message: string, detail: string, ...actions: string[]): Promise<string | undefined> {
    const answer = this.next({ kind: 'confirm', message, detail, choices: actions, rejected: [] }, 'confirm');
    if (!answer || answer.kind !== 'confirm') return undefined;
    if (answer.action !== 'Cancel' && !actions.includes(answer.action)) this.problems.push(`confirm "${message}": no action "${answer.action}" among ${actions.join(' | ')}`);
    return actions.includes(answer.action) ? answer.action : undefined;
  }
}

export interface ShownMessage {
  severity: 'info' | 'warning' | 'error';
  message: string;
  /** The action titles offered (modal options excluded). */
  actions: string[];
}

type ShowFunction = (message: string, ...rest: unknown[]) => Thenable<unknown>;

/** Records every notification shown through `api.window` until `restore()`; each resolves as dismissed. */
export function captureMessages(api: typeof vscode): { messages: ShownMessage[]; restore(): void } {
  const window = api.window as unknown as Record<string, ShowFunction>;
  const names = { info: 'showInformationMessage', warning: 'showWarningMessage', error: 'showErrorMessage' } as const;
  const originals = Object.fromEntries(Object.values(names).map((name) => [name, window[name]!]));
  const messages: ShownMessage[] = [];
  for (const [severity, name] of Object.entries(names) as [ShownMessage['severity'], string][]) {
    window[name] = (message: string, ...rest: unknown[]) => {
      const actions = rest.flatMap((r) => (typeof r === 'string' ? [r] : typeof r === 'object' && r !== null && 'title' in r ? [String(r.title)] : []));
      messages.push({ severity, message, actions });
      return Promise.resolve(undefined);
    };
  }
  return {
    messages,
    restore: () => {
      for (const name of Object.values(names)) window[name] = originals[name]!;
    },
  };
}

/** The password of a connection string URL (decoded), for the leak checks. */
export function passwordOf(url: string): string {
  // Not `new URL`: malformed test strings (a port of 99999) must still give their password.
  const match = /^[a-z][a-z0-9+.-]*:\/\/[^:@/]*:([^@]*)@/i.exec(url);
  return match ? decodeURIComponent(match[1]!) : '';
}

/** Each text that contains one of the secrets, with the first characters of the secret only. */
export function leaksIn(texts: readonly string[], secrets: readonly string[]): string[] {
  const needles = secrets.filter((s) => s.length >= 6).flatMap((s) => [s, encodeURIComponent(s)]);
  return texts.flatMap((text) => needles.filter((n) => text.includes(n)).map((n) => `"${text.slice(0, 80)}…" contains ${n.slice(0, 3)}…`));
}

/** Every text of the questions asked (titles, prompts, choices, validation messages), for leak checks. */
export function questionTexts(questions: readonly Question[]): string[] {
  return questions
    .flatMap((q) => [q.title, q.prompt, q.message, q.detail, ...(q.choices ?? []), ...q.rejected.map((r) => r.message), ...(q.warned ?? []).map((w) => w.message)])
    .filter((t): t is string => !!t);
}

/** The text of every log file under `dir` (the extension's `context.logUri`), for leak checks. */
export function logTexts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name), 'utf8'));
}

/**
 * Runs a real command with the scripted answers queued, checks every question got its answer and
 * every answer was used, records the question texts in `asked` (for the leak check), and returns
 * the messages the command showed.
 */
export function commandRunner(prompts: ScriptedPrompts, capture: { messages: ShownMessage[] }, asked: string[]) {
  return async (command: string, ...args: unknown[]): Promise<ShownMessage[]> => {
    const from = capture.messages.length;
    prompts.questions.length = 0;
    await vscode.commands.executeCommand(command, ...args);
    asked.push(...questionTexts(prompts.questions));
    assert.deepEqual(prompts.problems, [], 'every question had its scripted answer');
    assert.deepEqual(prompts.remaining, [], 'every scripted answer was used');
    return capture.messages.slice(from);
  };
}
