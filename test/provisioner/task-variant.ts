import assert from 'node:assert/strict';
import { DescribeTaskDefinitionCommand, RegisterTaskDefinitionCommand, type ContainerDefinition, type ECSClient } from '@aws-sdk/client-ecs';

/** Register a new revision of a task definition with its containers changed (what someone deploying by hand does). */
export async function registerVariant(ecs: ECSClient, taskDefinition: string | undefined, change: (c: ContainerDefinition) => ContainerDefinition): Promise<string> {
  const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition }))).taskDefinition;
  assert.ok(td, `task definition ${taskDefinition ?? ''}`);
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: td.family,
      networkMode: td.networkMode,
      requiresCompatibilities: td.requiresCompatibilities,
      cpu: td.cpu,
      memory: td.memory,
      runtimePlatform: td.runtimePlatform,
      executionRoleArn: td.executionRoleArn,
      containerDefinitions: (td.containerDefinitions ?? []).map(change),
    }),
  );
  return registered.taskDefinition?.taskDefinitionArn ?? '';
}
