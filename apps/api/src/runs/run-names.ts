import { randomInt } from 'node:crypto';

const ADJECTIVES = [
  'amber', 'ancient', 'bold', 'brisk', 'calm', 'clever', 'cosmic', 'crimson', 'daring', 'dawn', 'eager', 'electric',
  'fancy', 'fierce', 'gentle', 'golden', 'hidden', 'icy', 'jolly', 'keen', 'lively', 'lucky', 'misty', 'noble',
  'olive', 'proud', 'quiet', 'rapid', 'rustic', 'silent', 'silver', 'snowy', 'solar', 'steady', 'swift', 'tidy',
  'twilight', 'vivid', 'wandering', 'wise', 'young', 'zesty',
];
const NOUNS = [
  'badger', 'breeze', 'brook', 'canyon', 'cedar', 'comet', 'coral', 'crane', 'delta', 'dune', 'ember', 'falcon',
  'fern', 'fjord', 'forest', 'galaxy', 'glacier', 'harbor', 'heron', 'island', 'lagoon', 'lantern', 'maple', 'meadow',
  'meteor', 'moon', 'nebula', 'oasis', 'orbit', 'otter', 'pine', 'prairie', 'quasar', 'raven', 'reef', 'river',
  'sparrow', 'summit', 'thunder', 'tundra', 'valley', 'willow',
];

/** Human-friendly names like `swift-river-42`, in the manner of W&B. */
export function generateRunName(number: number): string {
  return `${ADJECTIVES[randomInt(ADJECTIVES.length)]}-${NOUNS[randomInt(NOUNS.length)]}-${number}`;
}
