/*
 * Building the DOM without HTML: every string becomes a text node (textContent), attributes are
 * set one by one, and nothing from the host is ever parsed as markup. A key named
 * `<img src=x onerror=alert(1)>` shows those characters and runs nothing.
 */

type Child = Node | string | number | false | null | undefined;
export interface Props {
  className?: string;
  /** Attributes, set with setAttribute (never `style`, never `on*`: listeners go through `on`). */
  attrs?: Record<string, string | number | boolean | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
  /** Plain text content (instead of children). */
  text?: string;
}

/** `h('button', { className: 'primary', on: { click } }, 'Save')`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props?: Props, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, props?: Props, ...children: Child[]): HTMLElement;
export function h(tag: string, props: Props = {}, ...children: Child[]): HTMLElement {
  const element = document.createElement(tag);
  if (props.className) element.className = props.className;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === undefined || value === false) continue;
    if (/^on/i.test(name) || name.toLowerCase() === 'style') throw new Error(`h(): attribute ${name} is not allowed (CSP)`);
    element.setAttribute(name, value === true ? '' : String(value));
  }
  for (const [event, listener] of Object.entries(props.on ?? {})) element.addEventListener(event, listener as EventListener);
  if (props.text !== undefined) element.textContent = props.text;
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/** Replaces an element's content with text or nodes. */
export function setContent(element: Element, ...children: Child[]): void {
  element.replaceChildren();
  append(element, ...children);
}

/** A codicon (decorative: hidden from screen readers; give the control its own label). */
export const icon = (name: string) => h('span', { className: `codicon codicon-${name}`, attrs: { 'aria-hidden': 'true' } });

/** A custom element of @vscode-elements with attributes and text. */
export function ve<T extends HTMLElement = HTMLElement>(tag: `vscode-${string}`, props: Props = {}, ...children: Child[]): T {
  return h(tag, props, ...children) as T;
}

/** Sets a CSS custom property through the CSSOM (allowed by a CSP without 'unsafe-inline', unlike a style attribute). */
export const cssVar = (element: HTMLElement, name: `--${string}`, value: string) => element.style.setProperty(name, value);

let ids = 0;
export const uniqueId = (prefix: string) => `${prefix}-${++ids}`;

/** Disables a control for pointer, keyboard and assistive technology alike (custom elements need aria-disabled too). */
export function setDisabled(element: Element, disabled: boolean): void {
  element.toggleAttribute('disabled', disabled);
  element.setAttribute('aria-disabled', disabled ? 'true' : 'false');
}

/** Shows a status line to screen readers and sighted users alike. */
export function announce(region: HTMLElement, text: string, kind: 'info' | 'error' = 'info'): void {
  region.className = `status ${kind}`;
  region.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  region.textContent = text;
}
