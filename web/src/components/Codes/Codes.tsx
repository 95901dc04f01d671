/** Stable codes or ids side by side (problem codes, Stripe event ids), each in its own `<code>`. */
export function Codes({ codes }: { codes: readonly string[] }) {
  return codes.map((code) => (
    <code key={code} className="job-code">
      {code}
    </code>
  ));
}
