export declare const BUILD_SOURCES: string[];
export declare function buildFreshness(root: string): { builtAt: number; stale: boolean };
