/**
 * A growable ring buffer: O(1) push and shift without the array re-indexing that
 * `Array#shift` costs on long queues of pending replies.
 */
export class Fifo<T> {
  #items: Array<T | undefined> = new Array(16);
  #head = 0;
  #size = 0;

  get length(): number {
    return this.#size;
  }

  peek(): T | undefined {
    return this.#size === 0 ? undefined : this.#items[this.#head];
  }

  push(item: T): void {
    if (this.#size === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#size) & (this.#items.length - 1)] = item;
    this.#size++;
  }

  shift(): T | undefined {
    if (this.#size === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#size--;
    return item;
  }

  #grow(): void {
    const next: Array<T | undefined> = new Array(this.#items.length * 2);
    for (let i = 0; i < this.#size; i++) next[i] = this.#items[(this.#head + i) & (this.#items.length - 1)];
    this.#items = next;
    this.#head = 0;
  }
}
