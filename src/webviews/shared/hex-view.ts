import { hexLine, hexLineCount } from './bytes';
import { VirtualList } from './virtual-list';

/**
 * A hex + ASCII dump of bytes (binary keys and values are never decoded into mojibake): offset,
 * sixteen bytes in hex, their printable ASCII. Virtualized like every list, so a 1 MiB window is
 * 65,536 lines that scroll as lightly as 16.
 */
export class HexView {
  private readonly list: VirtualList<number>;
  private bytes: Uint8Array = new Uint8Array(0);
  private base = 0;

  constructor(label: string) {
    this.list = new VirtualList<number>({
      label,
      rowHeight: 20,
      empty: 'No bytes',
      columns: [
        // ch of the editor font (set on .hex-view): the hex and ASCII columns always fit whole.
        { id: 'offset', title: 'Offset', width: '10ch', className: 'mono muted', cell: (line) => hexLine(this.bytes, line, this.base).offset },
        { id: 'hex', title: 'Hex', width: '51ch', className: 'mono', cell: (line) => hexLine(this.bytes, line, this.base).hex },
        { id: 'ascii', title: 'ASCII', width: 'minmax(18ch, 1fr)', className: 'mono', cell: (line) => hexLine(this.bytes, line, this.base).ascii },
      ],
    });
    this.list.element.classList.add('hex-view');
  }

  get element(): HTMLElement {
    return this.list.element;
  }

  /** Shows `bytes`, whose first byte is at `base` in the whole value. */
  show(bytes: Uint8Array, base = 0): void {
    this.bytes = bytes;
    this.base = base;
    this.list.setRows(Array.from({ length: hexLineCount(bytes.length) }, (_, i) => i));
  }
}
