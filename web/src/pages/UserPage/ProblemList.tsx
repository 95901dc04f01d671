import { type ProblemView, problemTitle } from '@cache-doctor/shared';

/** Every problem titled and explained in words, its stable code small beside it. */
export function ProblemList({ problems, none }: { problems: readonly ProblemView[]; none: string }) {
  if (problems.length === 0) return <p className="panel-note">{none}</p>;
  return (
    <ul className="problems">
      {problems.map((problem) => (
        <li key={`${problem.code}:${problem.message}`} className={`problem problem-${problem.severity}`}>
          <span className="problem-severity">{problem.severity === 'error' ? 'Error' : 'Warning'}:</span>{' '}
          <strong className="problem-title">{problemTitle(problem.code)}</strong> —{' '}
          <span className="problem-message">{problem.message}</span>{' '}
          <code className="problem-code">{problem.code}</code>
        </li>
      ))}
    </ul>
  );
}
