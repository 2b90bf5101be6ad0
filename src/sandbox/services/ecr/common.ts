/** What the ECR handlers share: repository data, names, the registry check, lookups and paging, with ECR's errors. */
import { AwsError } from '../../errors.js';
import { ResourceType, type ImageData } from '../../model.js';
import { pageByOffset } from '../../paging.js';
import type { Resource, World } from '../../world.js';

export interface RepositoryData {
  repositoryName: string;
  repositoryArn: string;
  repositoryUri: string;
  createdAt: number;
  imageTagMutability: string;
  scanOnPush: boolean;
  encryptionType: string;
  kmsKey?: string;
}

const NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
export const invalid = (message: string): AwsError => new AwsError('InvalidParameterException', message, 400);

export function repoNotFound(world: World, name: string): AwsError {
  return new AwsError('RepositoryNotFoundException', `The repository with name '${name}' does not exist in the registry with id '${world.config.accountId}'`, 400);
}

export function checkName(name: string | undefined): string {
  if (name === undefined || name === '') throw invalid("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must not be null'");
  if (name.length < 2 || name.length > 256) throw invalid("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length between 2 and 256'");
  if (!NAME.test(name)) {
    throw invalid("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''");
  }
  return name;
}

export function checkRegistry(world: World, registryId: string | undefined): void {
  if (registryId !== undefined && registryId !== world.config.accountId) {
    throw invalid(`Invalid parameter at 'registryId' failed to satisfy constraint: 'registry ${registryId} is not the caller's registry'`);
  }
}

export function repoOf(world: World, name: string | undefined): Resource<RepositoryData> {
  const repo = world.get<RepositoryData>(ResourceType.ecrRepository, checkName(name));
  if (!repo || world.hiddenByConsistency(repo)) throw repoNotFound(world, name ?? '');
  return repo;
}

export function pageOf<T>(items: T[], token: string | undefined, maxResults: number | undefined, max: number, dflt: number): { items: T[]; nextToken?: string } {
  const p = pageByOffset(items, token, maxResults, {
    min: 1,
    max,
    default: dflt,
    badSize: () => invalid(`Invalid parameter at 'maxResults' failed to satisfy constraint: 'must be between 1 and ${max}'`),
    badToken: () => invalid("Invalid parameter at 'nextToken' failed to satisfy constraint: 'invalid token'"),
  });
  return p.next === undefined ? { items: p.items } : { items: p.items, nextToken: p.next };
}

export function imagesOf(world: World, repository: string): Resource<ImageData>[] {
  return world
    .list<ImageData>(ResourceType.ecrImage)
    .filter((i) => i.data.repositoryName === repository)
    .sort((a, b) => a.data.pushedAt - b.data.pushedAt);
}

/** The image an identifier names: by digest, by tag, or both (which must agree). */
