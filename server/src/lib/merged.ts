/**
 * The values of several async generators as each becomes ready, whichever source it comes from.
 * A source is asked for its next value as soon as one of its values is taken, so every source
 * works on while the consumer handles what it got. A failing source fails the whole; a consumer
 * that stops early (or a failure) closes the sources still open, whose pending work then concerns
 * nobody.
 */
export async function* merged<T>(sources: readonly AsyncGenerator<T>[]): AsyncGenerator<T> {
  type Next = { source: AsyncGenerator<T>; result: IteratorResult<T> };
  const ask = (source: AsyncGenerator<T>): Promise<Next> => {
    const next = source.next().then((result) => ({ source, result }));
    // its failure is met by the race that awaits it; until then it must not count as unhandled
    next.catch(() => {});
    return next;
  };
  const pending = new Map(sources.map((source) => [source, ask(source)]));
  try {
    while (pending.size > 0) {
      const { source, result } = await Promise.race(pending.values());
      if (result.done) {
        pending.delete(source);
        continue;
      }
      pending.set(source, ask(source));
      yield result.value;
    }
  } finally {
    for (const source of pending.keys()) source.return(undefined).catch(() => {});
  }
}
