import { z } from 'zod';
import { ITEM_LIMITS } from './item';

// Request shapes for POST and PUT. Messages are predicates: the pipe prefixes the field name ("name is required").

const name = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a string') })
  .trim()
  .min(1, { error: 'must not be empty' })
  .max(ITEM_LIMITS.nameMaxLength, { error: `must be at most ${ITEM_LIMITS.nameMaxLength} characters` });

const description = z
  .string({ error: 'must be a string or null' })
  .max(ITEM_LIMITS.descriptionMaxLength, { error: `must be at most ${ITEM_LIMITS.descriptionMaxLength} characters` })
  .nullable()
  .optional()
  .transform((value) => value ?? null);

/** POST creates and PUT replaces: the same fields; a description left out becomes null. */
export const itemInputSchema = z.strictObject({ name, description }, { error: 'must be a JSON object' });
export type ItemInput = z.output<typeof itemInputSchema>;

export const itemIdSchema = z
  .string()
  .regex(/^[1-9]\d{0,9}$/, { error: 'must be a positive integer' })
  .transform(Number)
  .refine((id) => id <= ITEM_LIMITS.maxId, { error: `must be at most ${ITEM_LIMITS.maxId}` });
