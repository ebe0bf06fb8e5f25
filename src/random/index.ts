/**
 * The functional PRNG: keys (`key`, `split`, `foldIn`) and the samplers over them. Randomness is
 * an explicit argument everywhere, so a program that is given the same key computes the same thing.
 */

export { Key, isKey, key, split, foldIn, keyData, wrapKeyData } from './key.js'
export { threefry2x32 } from './threefry.js'
export {
  uniform, normal, truncatedNormal, bernoulli, permutation, categorical,
  type FloatDType, type UniformOptions, type NormalOptions, type TruncatedNormalOptions, type BernoulliOptions,
  type PermutationOptions, type CategoricalOptions,
} from './distributions.js'
