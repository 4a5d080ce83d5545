import { h, ve } from '../shared/dom';
import { valueOf } from '../shared/elements';
import type { RedisText } from '../../core/engines/redis/types';
import { base64ToBytes, escapeBytes, formatBytes } from '../shared/bytes';
import type { KeyRef } from '../../core/engines/redis/types';

/** Small builders shared by the key list and the viewers (all text, no markup). */

export const button = (text: string, onClick: () => void, options: { secondary?: boolean; icon?: string; label?: string } = {}) =>
  ve('vscode-button', {
    attrs: { secondary: options.secondary, icon: options.icon, 'aria-label': options.label },
    on: { click: () => onClick() },
    text,
  });

export function textfield(label: string, options: { value?: string; placeholder?: string; type?: string; onEnter?: () => void; size?: number } = {}) {
  const field = ve<HTMLInputElement>('vscode-textfield', {
    attrs: { label, placeholder: options.placeholder ?? label, type: options.type, value: options.value, size: options.size },
    on: { keydown: (e) => e.key === 'Enter' && options.onEnter?.() },
  });
  if (options.value !== undefined) field.value = options.value;
  // `label` is a property only (no attribute): it becomes the inner input's accessible name.
  (field as unknown as { label: string }).label = label;
  return field;
}

export function textarea(label: string, value = '', rows = 4) {
  const area = ve<HTMLTextAreaElement>('vscode-textarea', { attrs: { label, rows, resize: 'vertical' }, className: 'grow' });
  area.value = value;
  (area as unknown as { label: string }).label = label;
  return area;
}

export function select(label: string, options: [string, string][], value: string, onChange: (value: string) => void) {
  const element = ve<HTMLSelectElement>('vscode-single-select', { attrs: { label }, on: { change: () => onChange(valueOf(element)) } }, ...options.map(([v, text]) => ve('vscode-option', { attrs: { value: v, selected: v === value }, text })));
  return element;
}

export const labelled = (label: string, control: HTMLElement) => h('label', { className: 'inline-field' }, h('span', { className: 'muted', text: label }), control);

/** A key's name for people: the text, or `\xNN` escapes when its bytes are not UTF-8. */
export const keyName = (key: KeyRef) => (key.base64 === undefined ? key.name : escapeBytes(base64ToBytes(key.base64)));
export const sameKey = (a: KeyRef | undefined, b: KeyRef | undefined) => !!a && !!b && a.name === b.name && a.base64 === b.base64;
/** The key as operations take it back. */
export const keyParam = (key: KeyRef) => (key.base64 === undefined ? key.name : { name: key.name, base64: key.base64 });

/** A value cell: its text, `\xNN` escapes for bytes, and a note when it was cut. */
export function valueText(value: RedisText): string {
  const text = value.binary ? escapeBytes(base64ToBytes(value.value), 512) : value.value;
  const oneLine = text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
  return value.truncated ? `${oneLine} … (${formatBytes(value.bytes ?? 0)}, cut)` : oneLine;
}
/** What an edit sends back for a value it read: the exact bytes, or the text. */
export const textParam = (value: RedisText) => (value.binary ? { value: value.value, binary: true } : value.value);
