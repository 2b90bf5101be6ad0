import { BadRequestException, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/**
 * Validates a request value (body, parameter) with a zod schema. A failure is a 400 whose message names each bad
 * field ("name must not be empty"), with the same issues listed for programs.
 */
export class ZodValidationPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    /** The name to report when the value as a whole is wrong, e.g. "body" or "id". */
    private readonly subject: string,
  ) {}

  transform(value: unknown): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((issue) => this.toFieldIssue(issue));
    throw new BadRequestException({
      statusCode: 400,
      error: 'Bad Request',
      message: issues.map((i) => `${i.field} ${i.message}`).join('; '),
      issues,
    });
  }

  private toFieldIssue(issue: z.core.$ZodIssue): FieldIssue {
    if (issue.code === 'unrecognized_keys') {
      return { field: issue.keys.join(', '), message: 'is not a known field' };
    }
    const field = issue.path.length === 0 ? this.subject : issue.path.map(String).join('.');
    return { field, message: issue.message };
  }
}
