import type { SandboxService } from '../service.js';
import { ec2 } from './ec2.js';
import { elbv2 } from './elbv2.js';
import { rds } from './rds.js';
import { elasticache } from './elasticache.js';
import { iam } from './iam.js';
import { sts } from './sts.js';
import { ecs } from './ecs.js';
import { logs } from './logs.js';
import { ecr } from './ecr.js';
import { secretsmanager } from './secretsmanager.js';

/** Every simulated service. Routing: query protocols by `Version=`, JSON 1.1 by the X-Amz-Target prefix. */
export const services: readonly SandboxService[] = [ec2, elbv2, rds, elasticache, iam, sts, ecs, logs, ecr, secretsmanager];
