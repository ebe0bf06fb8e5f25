/** The workloads, in run and table order. */

import type { Workload } from './workload.js'
import { w1 } from './w1-matmul.js'
import { w2 } from './w2-mlp.js'
import { w3 } from './w3-chain.js'
import { w4 } from './w4-cnn.js'
import { w5 } from './w5-memory.js'
import { w6 } from './w6-fashion.js'

export const WORKLOADS: readonly Workload[] = [w1, w2, w3, w4, w5, w6]
