/**
 * A node's abort signal, made only when something asks for it. Aborted when the driver stops
 * (its signal aborts: lease lost) and when the run is interrupted inside the node. Most nodes
 * never read `ctx.signal`, and an AbortController linked to the driver's signal costs more
 * than a pure step (measured: a third of a step's time in memory), so it is created lazily;
 * one created after the fact starts aborted with the reason already known.
 */
export class NodeAbort {
  private controller: AbortController | undefined;
  private reason: { value: unknown } | undefined;
  private readonly onParentAbort = () => this.abort(this.parent.reason);

  constructor(private readonly parent: AbortSignal) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.reason) this.controller.abort(this.reason.value);
      else if (this.parent.aborted) this.abort(this.parent.reason);
      else this.parent.addEventListener('abort', this.onParentAbort, { once: true });
    }
    return this.controller.signal;
  }

  /**
   * The node's signal if something already made it, else the driver's: what a tool call is
   * handed. A tool needs to stop when the driver stops (lease lost); a park or an end inside
   * the node leaves calls already in flight to finish and record their outcome.
   */
  get current(): AbortSignal {
    return this.controller?.signal ?? this.parent;
  }

  get aborted(): boolean {
    return this.reason !== undefined || this.parent.aborted;
  }

  abort(reason: unknown): void {
    if (this.reason) return;
    this.reason = { value: reason };
    this.controller?.abort(reason);
  }

  /** Unlinks from the driver's signal once the node has settled. */
  dispose(): void {
    if (this.controller) this.parent.removeEventListener('abort', this.onParentAbort);
  }
}
