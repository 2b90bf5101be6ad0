import type { StackStatus } from '../../src/status/model.js';
import { HEALTH_WORD, type Paint } from './color.js';

/**
 * The tiers as a small diagram, each box coloured by its health and naming it in words:
 *
 *   Internet --> [ ALB ok ] --> [ ECS 1/1 ok ] --+--> [ RDS ok ]
 *                                                +--> [ Redis ok ]
 */
export function diagram(s: StackStatus, p: Paint): string[] {
  const box = (label: string, h: keyof typeof HEALTH_WORD): { text: string; width: number } => {
    const text = `[ ${label} ${HEALTH_WORD[h]} ]`;
    return { text: p.health(h, text), width: text.length };
  };
  const svc = s.service;
  const alb = box('ALB', s.tiers.alb);
  const ecs = box(svc ? `ECS ${svc.running}/${svc.desired}` : 'ECS', s.tiers.ecs);
  const rds = box('RDS', s.tiers.rds);
  const redis = box('Redis', s.tiers.redis);
  const head = `Internet --> ${alb.text} --> ${ecs.text} --+--> ${rds.text}`;
  const indent = 'Internet --> '.length + alb.width + ' --> '.length + ecs.width + ' --'.length;
  return [head, `${' '.repeat(indent)}+--> ${redis.text}`];
}
