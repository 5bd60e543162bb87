// How the server is bundled (scripts/build.mjs) and, the same way, the app under bench
// (bench/lib/app-process.ts): one ESM file per entry, packages left in node_modules.
export const serverBundleOptions = {
  bundle: true,
  packages: 'external',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  keepNames: true,
  // tsyringe checks for the Reflect polyfill when it loads, and ES imports are evaluated in the
  // order they appear: every output file loads it first.
  banner: { js: "import 'reflect-metadata';" },
  logLevel: 'warning',
}
