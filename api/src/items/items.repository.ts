import { Injectable } from '@nestjs/common';
import { DatabaseClient } from '../database/database.client';
import { ITEM_LIMITS, type Item } from './item';
import type { ItemInput } from './item.dto';
import { ItemsSchema } from './items.schema';

const COLUMNS = 'id, name, description, created_at, updated_at';

/** SQL for items. Values always travel as parameters; only the validated schema name is interpolated. */
@Injectable()
export class ItemsRepository {
  private readonly sql: Readonly<Record<'list' | 'find' | 'insert' | 'update' | 'remove', string>>;

  constructor(
    private readonly db: DatabaseClient,
    private readonly schema: ItemsSchema,
  ) {
    const table = schema.table;
    this.sql = {
      list: `SELECT ${COLUMNS} FROM ${table} ORDER BY id LIMIT ${ITEM_LIMITS.maxListed}`,
      find: `SELECT ${COLUMNS} FROM ${table} WHERE id = $1`,
      insert: `INSERT INTO ${table} (name, description) VALUES ($1, $2) RETURNING ${COLUMNS}`,
      update: `UPDATE ${table} SET name = $2, description = $3, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      remove: `DELETE FROM ${table} WHERE id = $1`,
    };
  }

  async list(): Promise<Item[]> {
    await this.schema.ensure();
    return (await this.db.query<Item>(this.sql.list)).rows;
  }

  async find(id: number): Promise<Item | undefined> {
    await this.schema.ensure();
    return (await this.db.query<Item>(this.sql.find, [id])).rows[0];
  }

  async insert(input: ItemInput): Promise<Item> {
    await this.schema.ensure();
    const row = (await this.db.query<Item>(this.sql.insert, [input.name, input.description])).rows[0];
    // INSERT ... RETURNING always yields the row; the check satisfies the type system.
    if (!row) throw new Error('INSERT returned no row');
    return row;
  }

  async update(id: number, input: ItemInput): Promise<Item | undefined> {
    await this.schema.ensure();
    return (await this.db.query<Item>(this.sql.update, [id, input.name, input.description])).rows[0];
  }

  /** True when a row was deleted. */
  async remove(id: number): Promise<boolean> {
    await this.schema.ensure();
    return ((await this.db.query(this.sql.remove, [id])).rowCount ?? 0) > 0;
  }
}
