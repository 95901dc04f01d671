import { useEffect, useRef, useState } from 'react';

/**
 * A value exactly as stored. A long one scrolls inside its box, and only then is the box
 * focusable: keyboard users can scroll it with the arrow keys, and Tab skips the short ones.
 */
export function RawValue({ children }: { children: string }) {
  const ref = useRef<HTMLPreElement>(null);
  const [scrolls, setScrolls] = useState(false);

  // biome-ignore lint/correctness/useExhaustiveDependencies: new content can change whether it scrolls without resizing a box already at its maximum height
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setScrolls(element.scrollHeight > element.clientHeight);
    measure();
    // A box inside a closed dialog has no size yet; it is measured again once it is shown.
    if (typeof ResizeObserver !== 'function') return;
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [children]);

  return (
    <pre ref={ref} className="raw" tabIndex={scrolls ? 0 : undefined}>
      {children}
    </pre>
  );
}
