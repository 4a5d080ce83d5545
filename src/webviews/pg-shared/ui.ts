import { h } from '../shared/dom';

/** A toolbar button: a <vscode-button> with a codicon and an accessible name. */
export function button(label: string, onClick: () => void, options: { icon?: string; secondary?: boolean; title?: string } = {}): HTMLElement {
  return h(
    'vscode-button',
    {
      className: 'tb',
      attrs: { icon: options.icon, secondary: options.secondary ? true : undefined, title: options.title ?? label, 'aria-label': label },
      on: { click: () => onClick() },
    },
    label,
  );
}

/** A native <select> with options (native controls keep keyboard and test access simple inside the strict CSP). */
export function select(label: string, options: [value: string, text: string][], value: string, onChange?: (value: string) => void): HTMLSelectElement {
  const element = h('select', { className: 'native', attrs: { 'aria-label': label }, on: { change: () => onChange?.(element.value) } }, ...options.map(([v, t]) => h('option', { attrs: { value: v }, text: t })));
  element.value = value;
  return element;
}

export function input(label: string, value: string, placeholder = ''): HTMLInputElement {
  const element = h('input', { className: 'native', attrs: { 'aria-label': label, placeholder, type: 'text' } });
  element.value = value;
  return element;
}

/** A list of tabs (role=tablist); `show` is called with the chosen id. */
export function tabs(label: string, items: [id: string, text: string][], current: string, show: (id: string) => void): { element: HTMLElement; select(id: string): void } {
  const buttons = items.map(([id, text]) =>
    h('button', { attrs: { role: 'tab', 'aria-selected': id === current ? 'true' : 'false', 'data-tab': id }, text, on: { click: () => choose(id) } }),
  );
  const choose = (id: string) => {
    for (const b of buttons) b.setAttribute('aria-selected', b.dataset.tab === id ? 'true' : 'false');
    show(id);
  };
  return { element: h('div', { className: 'tabs', attrs: { role: 'tablist', 'aria-label': label } }, ...buttons), select: choose };
}
