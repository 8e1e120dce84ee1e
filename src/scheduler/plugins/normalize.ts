import { maxNodeScore } from '../framework/types.js';

/**
 * helper.DefaultNormalizeScore: scales so the highest score becomes 100 (integer maths);
 * `reverse` makes lower raw scores better. All-zero input gives 0 (or 100 reversed).
 */
export function defaultNormalize(scores: Float64Array, reverse: boolean): void {
  let max = 0;
  for (const s of scores) if (s > max) max = s;
  if (max === 0) {
    if (reverse) scores.fill(maxNodeScore);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    let s = Math.trunc((maxNodeScore * scores[i]!) / max);
    if (reverse) s = maxNodeScore - s;
    scores[i] = s;
  }
}
