import { regionProblem, stackNameProblem, STACK_NAME_RULE } from '../src/config.js';
import { KNOWN_REGIONS, OPT_IN_REGIONS } from '../src/regions.js';
import { askValue, type Offered, type ValueQuestion } from './prompts.js';

/**
 * The questions the commands ask (cli/prompts.ts askValue): what each offers, and how a typed value is checked,
 * in the words the matching flag is refused with.
 */

/** The known regions as the prompt offers them: those AWS disables by default say so. */
export function regionChoices(): Offered[] {
  return KNOWN_REGIONS.map((r) => (OPT_IN_REGIONS.has(r) ? { value: r, description: 'opt-in region: it must be enabled for your account first (AWS console: Account > AWS Regions)' } : { value: r }));
}

/**
 * The region question: the known regions, searchable as you type, the default (AWS_REGION, then the profile's
 * region) first; a name that is not a known region is refused as you type, in --region's words.
 */
export function regionQuestion(defaultRegion: string | undefined): ValueQuestion {
  const known = defaultRegion !== undefined && KNOWN_REGIONS.includes(defaultRegion);
  return {
    ...(known ? { default: defaultRegion } : {}),
    offered: regionChoices(),
    // The same words as --region's refusal, after the value the prompt already shows.
    problem: (r) => regionProblem(r)?.replace(`region "${r}" `, ''),
    hint: 'type a region name, e.g. us-east-1',
  };
}

export async function askRegion(defaultRegion: string | undefined): Promise<string> {
  return askValue('AWS region (type to search)', regionQuestion(defaultRegion));
}

/** A stack name: offered ones (the stacks of this folder) or a new one, checked by the name rule. */
export function stackNameQuestion(o: { default?: string; offered?: readonly Offered[]; hint: string }): ValueQuestion {
  return {
    ...o,
    problem: (v) => {
      const p = stackNameProblem(v);
      return p ? `${p}; use ${STACK_NAME_RULE}` : undefined;
    },
  };
}
