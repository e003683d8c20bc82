import { type z } from 'zod';

/** One line per problem, each naming the field path and what is allowed: `schedule.etaTrgt: Too small: expected number to be >0`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
      return `${path}: ${issue.message}`;
    })
    .join('\n');
}
