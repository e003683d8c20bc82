/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // TF.js and the native addon belong to worker/ only; the app never bundles them.
  // @resvg/resvg-js (the share PNGs, issue 6) is a native addon: loaded by Node, not bundled.
  serverExternalPackages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', '@resvg/resvg-js'],
};

export default nextConfig;
