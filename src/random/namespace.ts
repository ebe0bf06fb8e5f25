/**
 * The values of the PRNG module, for `puregrad/layers`' `random` namespace. The namespace holds
 * values only: the declaration bundler cannot re-export an imported type inside a namespace, so
 * the option types are exported by name from `puregrad/layers` instead.
 */

export { Key, isKey, key, split, foldIn, keyData, wrapKeyData } from './key.js'
export { threefry2x32 } from './threefry.js'
export { uniform, normal, truncatedNormal, bernoulli, permutation, categorical } from './distributions.js'
