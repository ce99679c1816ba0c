/** The package version, sent as LIB-VER; a unit test keeps it equal to package.json's. */
export const VERSION = '0.1.0';
export const LIB_NAME = 'hitless';
