/** A typed event emitter: `on` returns its own unsubscribe. */
export class Emitter<Events extends object> {
  private readonly handlers = new Map<keyof Events, Set<(value: never) => void>>();

  on<K extends keyof Events>(event: K, handler: (value: Events[K]) => void): () => void {
    let set = this.handlers.get(event);
    if (!set) {
      set = new Set();
      this.handlers.set(event, set);
    }
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }

  emit<K extends keyof Events>(event: K, value: Events[K]): void {
    const set = this.handlers.get(event);
    if (!set) return;
    for (const handler of [...set]) (handler as (value: Events[K]) => void)(value);
  }
}

/** A set of change listeners, as `useSyncExternalStore` subscribes. */
export class Listeners {
  private readonly set = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.set.add(listener);
    return () => {
      this.set.delete(listener);
    };
  };

  notify(): void {
    for (const listener of [...this.set]) listener();
  }
}
