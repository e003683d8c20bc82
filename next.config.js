/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // TF.js and the native addon belong to worker/ only; the app never bundles them.
  serverExternalPackages: ['@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm'],
};

export default nextConfig;
