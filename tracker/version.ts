/** The RedFlix P2P version, reported by `/tracker/stats` and `/health`. */
export const VERSION = "0.1.0";
