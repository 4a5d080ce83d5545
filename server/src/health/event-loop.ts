/**
 * How late the event loop runs timers: a timer set for every `intervalMs` notes how much later than
 * due it fired. A handler that blocks (a huge JSON.stringify, a synchronous loop) shows as lag for
 * every request at once, so the metrics report it next to memory and connections.
 */
export class EventLoopMonitor {
  private last = 0;
  private worst = 0;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly intervalMs = 200) {
    let expected = performance.now() + intervalMs;
    this.timer = setInterval(() => {
      const now = performance.now();
      this.last = Math.max(0, now - expected);
      this.worst = Math.max(this.worst, this.last);
      expected = now + intervalMs;
    }, intervalMs);
    this.timer.unref?.();
  }

  /** The last sample and the worst one since the previous call (which starts a new window). */
  read(): { lagMs: number; maxLagMs: number } {
    const figures = { lagMs: Math.round(this.last * 10) / 10, maxLagMs: Math.round(Math.max(this.worst, this.last) * 10) / 10 };
    this.worst = 0;
    return figures;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
