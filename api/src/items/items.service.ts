import { Injectable, NotFoundException } from '@nestjs/common';
import { SingleFlight } from '../common/single-flight';
import type { Item } from './item';
import type { ItemInput } from './item.dto';
import { ItemsCache } from './items.cache';
import { ItemsRepository } from './items.repository';

/**
 * Items with a cache-aside list. GET /items answers the cached body ("source":"cache") or queries PostgreSQL
 * ("source":"database") and caches the result; every write invalidates before it answers.
 */
@Injectable()
export class ItemsService {
  // Concurrent misses share one query (no stampede on PostgreSQL when the list expires under load).
  private readonly listLoads = new SingleFlight<string>();
  // Counts this process's writes. Part of the single-flight key, so a read that arrives after a write has answered
  // never joins a load that started before it, even when Redis (and its generation) is unavailable.
  private localWrites = 0;

  constructor(
    private readonly repository: ItemsRepository,
    private readonly cache: ItemsCache,
  ) {}

  /** The full JSON response body of GET /items. */
  async listBody(): Promise<Buffer | string> {
    const cached = await this.cache.getList();
    if (cached !== undefined) return cached;
    const generation = await this.cache.generation();
    return this.listLoads.run(`${generation ?? 'none'}:${this.localWrites}`, () => this.loadList(generation));
  }

  async get(id: number): Promise<Item> {
    const item = await this.repository.find(id);
    if (!item) throw notFound(id);
    return item;
  }

  async create(input: ItemInput): Promise<Item> {
    const item = await this.repository.insert(input);
    await this.invalidate();
    return item;
  }

  async update(id: number, input: ItemInput): Promise<Item> {
    const item = await this.repository.update(id, input);
    if (!item) throw notFound(id);
    await this.invalidate();
    return item;
  }

  async remove(id: number): Promise<void> {
    if (!(await this.repository.remove(id))) throw notFound(id);
    await this.invalidate();
  }

  private async loadList(generation: string | undefined): Promise<string> {
    // Stringified once; both bodies are assembled around the same bytes.
    const items = JSON.stringify(await this.repository.list());
    if (generation !== undefined) await this.cache.storeList(`{"source":"cache","items":${items}}`, generation);
    return `{"source":"database","items":${items}}`;
  }

  /** Called after the write committed, so any read that starts later sees it. */
  private async invalidate(): Promise<void> {
    this.localWrites += 1;
    await this.cache.invalidate();
  }
}

function notFound(id: number): NotFoundException {
  return new NotFoundException({ statusCode: 404, error: 'Not Found', message: `item ${id} not found` });
}
