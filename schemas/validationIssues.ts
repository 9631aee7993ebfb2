import type { z } from 'zod/v4';
import { TributaryError } from '../platform/errors.js';

/** One validation problem: where, and what was expected. Never the offending value. */
export interface ValidationProblem {
  path: string;
  code: string;
  expected: string;
}

function pathOf(issue: z.core.$ZodIssue): string {
  return issue.path.length === 0 ? '(root)' : issue.path.map(String).join('.');
}

/**
 * What the schema expected, built from the issue's schema-side facts only. zod messages for
 * our own checks are written by us (no values); built-in ones are rebuilt here so a future zod
 * that puts the input into a message cannot leak it (records carry names, e-mails and pay).
 */
function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected;
    case 'invalid_format':
      return issue.format === 'regex'
        ? `string matching ${issue.pattern ?? 'the pattern'}`
        : `${issue.format} string`;
    case 'too_small':
      return `${issue.origin} ${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'too_big':
      return `${issue.origin} ${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : ''}`;
    case 'invalid_value':
      return `one of ${issue.values.map((value) => JSON.stringify(value)).join(' | ')}`;
    case 'not_multiple_of':
      return `multiple of ${String(issue.divisor)}`;
    case 'unrecognized_keys':
      return `no properties named ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'one of the allowed shapes';
    case 'invalid_key':
      return 'valid keys';
    case 'invalid_element':
      return 'valid elements';
    case 'custom':
      return issue.message;
    default:
      return 'a valid value';
  }
}

export function validationProblems(issues: readonly z.core.$ZodIssue[]): ValidationProblem[] {
  return issues.map((issue) => ({ path: pathOf(issue), code: issue.code, expected: expectedOf(issue) }));
}

/** VALIDATION_FAILED naming entity, field paths and expected types; not retryable (DLQ material). */
export function recordValidationError(entity: string, issues: readonly z.core.$ZodIssue[]): TributaryError {
  const problems = validationProblems(issues);
  const summary = problems.map((problem) => `${problem.path}: expected ${problem.expected}`).join('; ');
  return new TributaryError('VALIDATION_FAILED', `invalid ${entity} record: ${summary}`, {
    retryable: false,
    details: { entity, problems },
  });
}
