/**
 * Lines → small integers, so that a diff holds no text: each normalised line is hashed to a
 * 64-bit key (two 32-bit lanes) and the key interned to a dense symbol (0, 1, 2, …), equal
 * keys to the same symbol. Two different lines share a key with probability about S²/2⁶⁵ for
 * S distinct lines (≈1e-7 for two million): they would then compare equal.
 *
 * Memory: 8 bytes of key per distinct line (the key arrays double, so up to 16), and an
 * open-addressing table of 4-byte slots kept between LOAD_PERCENT/2 and LOAD_PERCENT full:
 * at most 4/0.35 ≈ 11.5 bytes per distinct line. Both are dropped once both sides are read.
 */

/** The table doubles when more than this share of its slots is used (linear probing stays short). */
const LOAD_PERCENT = 70;
const INITIAL_SLOTS = 1 << 12;

/** A growable Int32Array (doubling): the per-line symbol sequences and the hunk list. */
export class IntVec {
  private data: Int32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.data = new Int32Array(capacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  get(index: number): number {
    return this.data[index] ?? 0;
  }

  /** The values as one array without copying (a view of the backing store). */
  view(): Int32Array {
    return this.data.subarray(0, this.length);
  }

  /** Bytes held, spare capacity included. */
  get bytes(): number {
    return this.data.byteLength;
  }
}

let lane1 = 0;
let lane2 = 0;

/** cyrb53's two multiply-xorshift lanes over the UTF-16 code units, both kept (64 bits); sets lane1/lane2. */
function hash64(text: string): void {
  let h1 = 0xdeadbeef ^ text.length;
  let h2 = 0x41c6ce57 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  lane1 = h1 >>> 0;
  lane2 = h2 >>> 0;
}

/** The 64-bit key of a line as two unsigned 32-bit numbers (exported for tests). */
export function lineKey(text: string): [number, number] {
  hash64(text);
  return [lane1, lane2];
}

export class Interner {
  private keys1 = new Uint32Array(INITIAL_SLOTS / 2);
  private keys2 = new Uint32Array(INITIAL_SLOTS / 2);
  /** symbol + 1 per slot; 0 is empty */
  private slots = new Int32Array(INITIAL_SLOTS);
  /** distinct keys seen */
  size = 0;

  /** The symbol of `text` (already normalised): the same for equal texts. */
  intern(text: string): number {
    hash64(text);
    const h1 = lane1;
    const h2 = lane2;
    const mask = this.slots.length - 1;
    let slot = h1 & mask;
    for (;;) {
      const entry = this.slots[slot] ?? 0;
      if (entry === 0) break;
      const symbol = entry - 1;
      if (this.keys1[symbol] === h1 && this.keys2[symbol] === h2) return symbol;
      slot = (slot + 1) & mask;
    }
    const symbol = this.size++;
    if (symbol === this.keys1.length) this.growKeys();
    this.keys1[symbol] = h1;
    this.keys2[symbol] = h2;
    this.slots[slot] = symbol + 1;
    if (this.size * 100 > this.slots.length * LOAD_PERCENT) this.rehash();
    return symbol;
  }

  /** Bytes held by the keys and the table. */
  get bytes(): number {
    return this.keys1.byteLength + this.keys2.byteLength + this.slots.byteLength;
  }

  private growKeys(): void {
    const k1 = new Uint32Array(this.keys1.length * 2);
    const k2 = new Uint32Array(this.keys2.length * 2);
    k1.set(this.keys1);
    k2.set(this.keys2);
    this.keys1 = k1;
    this.keys2 = k2;
  }

  private rehash(): void {
    const slots = new Int32Array(this.slots.length * 2);
    const mask = slots.length - 1;
    for (let symbol = 0; symbol < this.size; symbol++) {
      let slot = (this.keys1[symbol] ?? 0) & mask;
      while ((slots[slot] ?? 0) !== 0) slot = (slot + 1) & mask;
      slots[slot] = symbol + 1;
    }
    this.slots = slots;
  }
}
