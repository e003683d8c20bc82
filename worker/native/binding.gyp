{
  # Built by scripts/build-native.mjs (never by an install hook); it passes the OpenBLAS header directory it found.
  "variables": {
    "openblas_include%": "/usr/include/x86_64-linux-gnu/openblas-pthread"
  },
  "targets": [
    {
      "target_name": "atlas_native",
      "sources": ["src/addon.cc", "src/kernels.cc"],
      "include_dirs": ["<(openblas_include)"],
      "libraries": ["-lopenblas"],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fno-trapping-math", "-Wall", "-Wextra"],
      "cflags!": ["-O2"]
    }
  ]
}
