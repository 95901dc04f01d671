import { problemTitle } from '@cache-doctor/shared';

/** A problem code in words, its stable code small beside it (what alerts and runbooks name). */
export function ProblemTitle({ code }: { code: string }) {
  return (
    <span className="problem-title">
      {problemTitle(code)} <code className="problem-code">{code}</code>
    </span>
  );
}

/** Several problems of one row, each titled. */
export function ProblemTitles({ codes }: { codes: readonly string[] }) {
  return (
    <span className="problem-titles">
      {codes.map((code) => (
        <ProblemTitle key={code} code={code} />
      ))}
    </span>
  );
}
