/** An item as stored and as answered (timestamps serialise as ISO 8601 strings). */
export interface Item {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** Bounds shared by the request validation and the table definition, so the two cannot drift apart. */
export const ITEM_LIMITS = {
  nameMaxLength: 200,
  descriptionMaxLength: 2_000,
  /** Ids are PostgreSQL `integer`; anything larger could never exist. */
  maxId: 2_147_483_647,
  /** GET /items is cached as one Redis value; the bound keeps that value (and the answer) a sane size. */
  maxListed: 1_000,
} as const;
