/**
 * How server rendering marks islands in the HTML, shared by the renderer
 * and the browser's boot module (so the two never disagree).
 * @module
 */

/** The element that marks an island; `display: contents` keeps layout intact. */
export const ISLAND_TAG = "redflix-island";

/** The id of the JSON script holding the islands' props. */
export const ISLAND_DATA_ID = "__redflix_islands";
