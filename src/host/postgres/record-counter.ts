/** Counts records in a stream of CSV or JSON text as it passes (quotes tracked across chunks), for progress. */
export class RecordCounter {
  records = 0;
  bytes = 0;
  private quoted = false;
  private readonly decoder = new TextDecoder();
  constructor(private readonly format: 'csv' | 'json') {}

  add(chunk: string | Uint8Array): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    this.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.format === 'csv' && c === 34) this.quoted = !this.quoted;
      else if (c === 10 && !this.quoted) this.records++;
    }
  }

  /** Data rows so far: CSV less its header line; JSON (`[`, one row per line, `]`) less its two bracket lines once complete. */
  get rows(): number {
    return Math.max(0, this.records - (this.format === 'csv' ? 1 : 2));
  }
}
