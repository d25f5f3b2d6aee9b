/**
 * Listings in pages: `?limit=` and `?cursor=` read from a URL, and the page
 * picked out of any number of items in O(n log k) time and O(k) memory
 * (k = cursor + limit), so a route that lists swarms or peers costs the
 * same bounded answer whatever the tracker holds.
 * @module
 */

/** Which slice of a listing to return. */
export interface PageRequest {
  /** Most items. */
  limit: number;
  /** Items skipped (what the previous page's `nextCursor` said). */
  offset: number;
}

/** A page of a listing. */
export interface Page<T> {
  /** The items, in order. */
  items: T[];
  /** Items in the whole listing. */
  total: number;
  /** Pass as `?cursor=` for the next page; absent on the last one. */
  nextCursor?: string;
}

/** Options of {@linkcode parsePageRequest}. */
export interface PageLimits {
  /** `limit` when none is given. */
  defaultLimit: number;
  /** Largest `limit` allowed. */
  maxLimit: number;
}

/**
 * Read `?limit=` and `?cursor=`.
 *
 * @throws {RangeError} naming the bad parameter.
 */
export function parsePageRequest(
  params: URLSearchParams,
  limits: PageLimits,
): PageRequest {
  const limitText = params.get("limit");
  const cursorText = params.get("cursor");
  const limit = limitText === null ? limits.defaultLimit : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > limits.maxLimit) {
    throw new RangeError(
      `Invalid limit: expected 1-${limits.maxLimit}, got "${
        limitText?.slice(0, 20)
      }"`,
    );
  }
  const offset = cursorText === null ? 0 : Number(cursorText);
  if (!/^\d{1,9}$/.test(cursorText ?? "0") || !Number.isSafeInteger(offset)) {
    throw new RangeError(
      `Invalid cursor: expected the nextCursor of a previous page, got "${
        cursorText?.slice(0, 20)
      }"`,
    );
  }
  return { limit, offset };
}

/** A binary heap whose top is the *last* item in `compare` order. */
class WorstFirstHeap<T> {
  #items: T[] = [];
  #compare: (a: T, b: T) => number;

  constructor(compare: (a: T, b: T) => number) {
    this.#compare = compare;
  }

  get size(): number {
    return this.#items.length;
  }

  get worst(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    const items = this.#items;
    items.push(item);
    for (let i = items.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (this.#compare(items[i]!, items[parent]!) <= 0) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  replaceWorst(item: T): void {
    const items = this.#items;
    items[0] = item;
    for (let i = 0;;) {
      const left = 2 * i + 1, right = left + 1;
      let worst = i;
      if (
        left < items.length && this.#compare(items[left]!, items[worst]!) > 0
      ) {
        worst = left;
      }
      if (
        right < items.length && this.#compare(items[right]!, items[worst]!) > 0
      ) worst = right;
      if (worst === i) break;
      [items[i], items[worst]] = [items[worst]!, items[i]!];
      i = worst;
    }
  }

  sorted(): T[] {
    return [...this.#items].sort(this.#compare);
  }
}

/**
 * The page `request` of `items` in `compare` order, holding at most
 * `offset + limit` items at a time; `map` turns each kept item into what
 * the page shows (only kept items are mapped).
 *
 * @example
 * ```ts
 * const page = pageOf([5, 1, 4, 2, 3], (a, b) => a - b, { limit: 2, offset: 1 }, (n) => n);
 * page.items; // [2, 3]
 * ```
 */
export function pageOf<T, U>(
  items: Iterable<T>,
  compare: (a: T, b: T) => number,
  request: PageRequest,
  map: (item: T) => U,
): Page<U> {
  const keep = request.offset + request.limit;
  const heap = new WorstFirstHeap(compare);
  let total = 0;
  for (const item of items) {
    total++;
    if (heap.size < keep) heap.push(item);
    else if (compare(item, heap.worst!) < 0) heap.replaceWorst(item);
  }
  const page: Page<U> = {
    items: heap.sorted().slice(request.offset).map(map),
    total,
  };
  if (keep < total) page.nextCursor = String(keep);
  return page;
}

/** A numbered page of a list a person reads (`?page=2`). */
export interface NumberedPage {
  /** This page, from 1. */
  page: number;
  /** Pages in all (at least 1). */
  pages: number;
  /** Index of the page's first item. */
  start: number;
  /** Index past the page's last item. */
  end: number;
}

/**
 * Which page of `total` items, `size` per page, `?page=` asks for. A page
 * past the end shows the last one and anything else unreadable the first,
 * as a person following an old link expects.
 *
 * @example
 * ```ts
 * numberedPage("3", 100, 48); // { page: 3, pages: 3, start: 96, end: 100 }
 * ```
 */
export function numberedPage(
  param: string | null,
  total: number,
  size: number,
): NumberedPage {
  const pages = Math.max(1, Math.ceil(total / size));
  const asked = /^\d{1,9}$/.test(param ?? "") ? Number(param) : 1;
  const page = Math.min(pages, Math.max(1, asked));
  const start = (page - 1) * size;
  return { page, pages, start, end: Math.min(total, start + size) };
}
