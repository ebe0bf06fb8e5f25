/**
 * Checkpoints, browser-safe part: encode a parameter record (or optimizer state) to bytes and
 * decode it back against a template. The Node file helpers (saveCheckpoint, loadCheckpoint) live
 * in ./node.js, which is kept out of this entry so that it never pulls in node:fs.
 *
 * @packageDocumentation
 */

export {
  encodeCheckpoint, encodeCheckpointAsync, encode,
  decodeCheckpoint, decodeCheckpointWithMeta, decode, decodeWithMeta,
  inspectCheckpoint,
  type CheckpointOptions, type Loaded,
} from './checkpoint.js'
export { type DecodeError, type Meta, type Header as CheckpointHeader, type Entry as CheckpointEntry } from './codecs.js'
export { FORMAT_VERSION, MAX_HEADER_BYTES, crc32 } from './format.js'
