#include "kernels.h"

#include <cblas.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

namespace atlas {
namespace {

// Row-major sgemm on 64-bit sizes; callers guarantee every size fits a BLAS int (addon.cc checks).
void Gemm(bool transA, bool transB, int64_t m, int64_t n, int64_t k, float alpha, const float* a, int64_t lda,
          const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
              static_cast<blasint>(m), static_cast<blasint>(n), static_cast<blasint>(k), alpha, a,
              static_cast<blasint>(lda), b, static_cast<blasint>(ldb), beta, c, static_cast<blasint>(ldc));
}

// One scratch buffer per thread, grown on demand and kept: convolutions run every step, and a fresh multi-MiB
// allocation each call would page-fault its way through the buffer every time.
float* Scratch(int64_t floats) {
  thread_local std::vector<float> buffer;
  if (static_cast<int64_t>(buffer.size()) < floats) buffer.resize(static_cast<size_t>(floats));
  return buffer.data();
}

bool IsPointwise(const ConvGeometry& g) {
  return g.fH == 1 && g.fW == 1 && g.strideH == 1 && g.strideW == 1 && g.padTop == 0 && g.padLeft == 0 &&
         g.outH == g.inH && g.outW == g.inW;
}

int64_t TileRows(const ConvGeometry& g) {
  const int64_t rows = g.batch * g.outH * g.outW;
  const int64_t fit = kTileFloats / std::max<int64_t>(1, g.patch());
  return std::max<int64_t>(1, std::min<int64_t>(rows, std::max(fit, kMinTileRows)));
}

// Walks the receptive field of output pixels [r0, r0 + rows): for each (pixel, fy) it calls
// visit(dst offset within the tile's col row, x offset, count of floats) for the in-bounds run, and zero(dst, count)
// for the out-of-bounds parts. Runs of consecutive fx are merged when the dilation along W is 1.
template <typename Copy, typename Zero>
void WalkPatches(const ConvGeometry& g, int64_t r0, int64_t rows, Copy copy, Zero zero) {
  const int64_t plane = g.outH * g.outW;
  const int64_t P = g.patch();
  const int64_t rowFloats = g.fW * g.inC;
  for (int64_t t = 0; t < rows; ++t) {
    const int64_t r = r0 + t;
    const int64_t b = r / plane;
    const int64_t q = r % plane;
    const int64_t oy = q / g.outW;
    const int64_t ox = q % g.outW;
    const int64_t colBase = t * P;
    const int64_t ix0 = ox * g.strideW - g.padLeft;
    for (int64_t fy = 0; fy < g.fH; ++fy) {
      const int64_t iy = oy * g.strideH - g.padTop + fy * g.dilH;
      const int64_t dst = colBase + fy * rowFloats;
      if (iy < 0 || iy >= g.inH) {
        zero(dst, rowFloats);
        continue;
      }
      const int64_t xRow = ((b * g.inH + iy) * g.inW) * g.inC;
      if (g.dilW == 1) {
        // fx in [lo, hi) lands inside the image: ix0 + fx in [0, inW).
        const int64_t lo = std::min<int64_t>(g.fW, std::max<int64_t>(0, -ix0));
        const int64_t hi = std::max<int64_t>(lo, std::min<int64_t>(g.fW, g.inW - ix0));
        if (lo > 0) zero(dst, lo * g.inC);
        if (hi > lo) copy(dst + lo * g.inC, xRow + (ix0 + lo) * g.inC, (hi - lo) * g.inC);
        if (hi < g.fW) zero(dst + hi * g.inC, (g.fW - hi) * g.inC);
      } else {
        for (int64_t fx = 0; fx < g.fW; ++fx) {
          const int64_t ix = ix0 + fx * g.dilW;
          if (ix < 0 || ix >= g.inW) zero(dst + fx * g.inC, g.inC);
          else copy(dst + fx * g.inC, xRow + ix * g.inC, g.inC);
        }
      }
    }
  }
}

void Im2Col(const float* x, const ConvGeometry& g, int64_t r0, int64_t rows, float* col) {
  WalkPatches(
      g, r0, rows,
      [&](int64_t dst, int64_t src, int64_t count) {
        std::memcpy(col + dst, x + src, static_cast<size_t>(count) * sizeof(float));
      },
      [&](int64_t dst, int64_t count) { std::memset(col + dst, 0, static_cast<size_t>(count) * sizeof(float)); });
}

void Col2ImAdd(const float* col, const ConvGeometry& g, int64_t r0, int64_t rows, float* dx) {
  WalkPatches(
      g, r0, rows,
      [&](int64_t src, int64_t dst, int64_t count) {
        float* __restrict out = dx + dst;
        const float* __restrict in = col + src;
        for (int64_t i = 0; i < count; ++i) out[i] += in[i];
      },
      [](int64_t, int64_t) {});
}

template <typename F>
void BinaryInner(F f, const float* a, const float* b, float* out, int64_t n, int64_t sa, int64_t sb) {
  if (sa == 1 && sb == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], b[i]);
  } else if (sa == 1 && sb == 0) {
    const float bv = b[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    const float av = a[0];
    for (int64_t i = 0; i < n; ++i) out[i] = f(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i] = f(a[i * sa], b[i * sb]);
  }
}

template <typename F>
void BinaryStrided(F f, const float* a, const float* b, float* out, int32_t rank, const int64_t* shape,
                   const int64_t* aStrides, const int64_t* bStrides) {
  // Merge dims that are contiguous for both operands and drop size-1 dims, so most broadcasts become one or two
  // loops (same shape: one; a bias row over a matrix: two).
  int64_t dims[8], sa[8], sb[8];
  int32_t r = 0;
  for (int32_t d = 0; d < rank; ++d) {
    if (shape[d] == 1) continue;
    if (r > 0 && sa[r - 1] == aStrides[d] * shape[d] && sb[r - 1] == bStrides[d] * shape[d]) {
      dims[r - 1] *= shape[d];
      sa[r - 1] = aStrides[d];
      sb[r - 1] = bStrides[d];
      continue;
    }
    dims[r] = shape[d];
    sa[r] = aStrides[d];
    sb[r] = bStrides[d];
    ++r;
  }
  if (r == 0) {
    out[0] = f(a[0], b[0]);
    return;
  }
  const int64_t inner = dims[r - 1];
  int64_t outerCount = 1;
  for (int32_t d = 0; d < r - 1; ++d) outerCount *= dims[d];
  int64_t idx[8] = {0};
  int64_t offA = 0, offB = 0;
  for (int64_t o = 0; o < outerCount; ++o) {
    BinaryInner(f, a + offA, b + offB, out + o * inner, inner, sa[r - 1], sb[r - 1]);
    // Advance the odometer over the outer dims.
    for (int32_t d = r - 2; d >= 0; --d) {
      ++idx[d];
      offA += sa[d];
      offB += sb[d];
      if (idx[d] < dims[d]) break;
      offA -= sa[d] * dims[d];
      offB -= sb[d] * dims[d];
      idx[d] = 0;
    }
  }
}

inline float NanAware(float a, float b, bool takeMax) {
  if (std::isnan(a) || std::isnan(b)) return std::numeric_limits<float>::quiet_NaN();
  return takeMax ? (a > b ? a : b) : (a < b ? a : b);
}

}  // namespace

void BatchMatMul(const float* a, const float* b, float* c, int64_t batchA, int64_t batchB, int64_t m, int64_t n,
                 int64_t k, bool transA, bool transB) {
  const int64_t batch = std::max(batchA, batchB);
  if (batch == 0 || m == 0 || n == 0) return;
  if (k == 0) {
    std::fill(c, c + batch * m * n, 0.0f);
    return;
  }
  const int64_t lda = transA ? m : k;
  const int64_t ldb = transB ? k : n;
  // A stack of untransposed A's against one shared B is a single taller GEMM.
  if (batchB == 1 && batchA == batch && !transA && batch * m <= INT_MAX) {
    Gemm(false, transB, batch * m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, n);
    return;
  }
  for (int64_t i = 0; i < batch; ++i) {
    Gemm(transA, transB, m, n, k, 1.0f, a + (i % batchA) * m * k, lda, b + (i % batchB) * k * n, ldb, 0.0f,
         c + i * m * n, n);
  }
}

void BiasActivation(float* c, int64_t rows, int64_t n, const float* bias, int64_t biasLen, Activation act,
                    float leakyAlpha) {
  for (int64_t r = 0; r < rows; ++r) {
    float* __restrict row = c + r * n;
    if (biasLen == n) {
      for (int64_t j = 0; j < n; ++j) row[j] += bias[j];
    } else if (biasLen == 1) {
      const float b0 = bias[0];
      for (int64_t j = 0; j < n; ++j) row[j] += b0;
    }
    switch (act) {
      case Activation::kLinear:
        break;
      case Activation::kRelu:
        for (int64_t j = 0; j < n; ++j) row[j] = row[j] < 0.0f ? 0.0f : row[j];
        break;
      case Activation::kRelu6:
        for (int64_t j = 0; j < n; ++j) row[j] = row[j] < 0.0f ? 0.0f : (row[j] > 6.0f ? 6.0f : row[j]);
        break;
      case Activation::kLeakyRelu:
        for (int64_t j = 0; j < n; ++j) row[j] = row[j] < 0.0f ? leakyAlpha * row[j] : row[j];
        break;
      case Activation::kSigmoid:
        for (int64_t j = 0; j < n; ++j) row[j] = static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(row[j]))));
        break;
      case Activation::kElu:
        for (int64_t j = 0; j < n; ++j)
          row[j] = row[j] >= 0.0f ? row[j] : static_cast<float>(std::expm1(static_cast<double>(row[j])));
        break;
    }
  }
}

bool ValidGeometry(const ConvGeometry& g) {
  const int64_t positive[] = {g.batch, g.inH, g.inW, g.inC, g.outH, g.outW, g.outC, g.fH, g.fW,
                              g.strideH, g.strideW, g.dilH, g.dilW};
  for (int64_t v : positive)
    if (v <= 0) return false;
  return g.padTop >= 0 && g.padLeft >= 0;
}

void Conv2D(const float* x, const float* w, float* y, const ConvGeometry& g) {
  const int64_t rowsTotal = g.batch * g.outH * g.outW;
  const int64_t P = g.patch();
  if (IsPointwise(g)) {
    Gemm(false, false, rowsTotal, g.outC, P, 1.0f, x, P, w, g.outC, 0.0f, y, g.outC);
    return;
  }
  const int64_t tile = TileRows(g);
  float* col = Scratch(tile * P);
  for (int64_t r0 = 0; r0 < rowsTotal; r0 += tile) {
    const int64_t rows = std::min(tile, rowsTotal - r0);
    Im2Col(x, g, r0, rows, col);
    Gemm(false, false, rows, g.outC, P, 1.0f, col, P, w, g.outC, 0.0f, y + r0 * g.outC, g.outC);
  }
}

void Conv2DBackpropInput(const float* dy, const float* w, float* dx, const ConvGeometry& g) {
  const int64_t rowsTotal = g.batch * g.outH * g.outW;
  const int64_t P = g.patch();
  if (IsPointwise(g)) {
    Gemm(false, true, rowsTotal, P, g.outC, 1.0f, dy, g.outC, w, g.outC, 0.0f, dx, P);
    return;
  }
  std::fill(dx, dx + g.xSize(), 0.0f);
  const int64_t tile = TileRows(g);
  float* dcol = Scratch(tile * P);
  for (int64_t r0 = 0; r0 < rowsTotal; r0 += tile) {
    const int64_t rows = std::min(tile, rowsTotal - r0);
    Gemm(false, true, rows, P, g.outC, 1.0f, dy + r0 * g.outC, g.outC, w, g.outC, 0.0f, dcol, P);
    Col2ImAdd(dcol, g, r0, rows, dx);
  }
}

void Conv2DBackpropFilter(const float* x, const float* dy, float* dw, const ConvGeometry& g) {
  const int64_t rowsTotal = g.batch * g.outH * g.outW;
  const int64_t P = g.patch();
  if (IsPointwise(g)) {
    Gemm(true, false, P, g.outC, rowsTotal, 1.0f, x, P, dy, g.outC, 0.0f, dw, g.outC);
    return;
  }
  const int64_t tile = TileRows(g);
  float* col = Scratch(tile * P);
  for (int64_t r0 = 0; r0 < rowsTotal; r0 += tile) {
    const int64_t rows = std::min(tile, rowsTotal - r0);
    Im2Col(x, g, r0, rows, col);
    Gemm(true, false, P, g.outC, rows, 1.0f, col, P, dy + r0 * g.outC, g.outC, r0 == 0 ? 0.0f : 1.0f, dw, g.outC);
  }
}

void SumMiddle(const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner) {
  if (inner == 1) {
    for (int64_t o = 0; o < outer; ++o) {
      const float* __restrict row = x + o * reduce;
      double s = 0.0;
      for (int64_t r = 0; r < reduce; ++r) s += row[r];
      out[o] = static_cast<float>(s);
    }
    return;
  }
  thread_local std::vector<double> acc;
  if (static_cast<int64_t>(acc.size()) < inner) acc.resize(static_cast<size_t>(inner));
  double* __restrict sum = acc.data();
  for (int64_t o = 0; o < outer; ++o) {
    std::fill(sum, sum + inner, 0.0);
    const float* block = x + o * reduce * inner;
    for (int64_t r = 0; r < reduce; ++r) {
      const float* __restrict row = block + r * inner;
      for (int64_t i = 0; i < inner; ++i) sum[i] += row[i];
    }
    float* __restrict dst = out + o * inner;
    for (int64_t i = 0; i < inner; ++i) dst[i] = static_cast<float>(sum[i]);
  }
}

void BinaryBroadcast(BinaryOp op, const float* a, const float* b, float* out, int32_t rank, const int64_t* shape,
                     const int64_t* aStrides, const int64_t* bStrides) {
  switch (op) {
    case BinaryOp::kAdd:
      return BinaryStrided([](float p, float q) { return p + q; }, a, b, out, rank, shape, aStrides, bStrides);
    case BinaryOp::kSub:
      return BinaryStrided([](float p, float q) { return p - q; }, a, b, out, rank, shape, aStrides, bStrides);
    case BinaryOp::kMul:
      return BinaryStrided([](float p, float q) { return p * q; }, a, b, out, rank, shape, aStrides, bStrides);
    case BinaryOp::kDiv:
      return BinaryStrided([](float p, float q) { return p / q; }, a, b, out, rank, shape, aStrides, bStrides);
    case BinaryOp::kSquaredDifference:
      return BinaryStrided([](float p, float q) { return (p - q) * (p - q); }, a, b, out, rank, shape, aStrides,
                           bStrides);
    case BinaryOp::kMaximum:
      return BinaryStrided([](float p, float q) { return NanAware(p, q, true); }, a, b, out, rank, shape, aStrides,
                           bStrides);
    case BinaryOp::kMinimum:
      return BinaryStrided([](float p, float q) { return NanAware(p, q, false); }, a, b, out, rank, shape, aStrides,
                           bStrides);
  }
}

namespace {

// Calls visit(xPixelOffset) for each in-bounds input pixel of the window of output (b, oy, ox), in row-major window
// order; the offset is of the pixel's first channel.
template <typename Visit>
void WalkWindow(const ConvGeometry& g, int64_t b, int64_t oy, int64_t ox, Visit visit) {
  const int64_t y0 = oy * g.strideH - g.padTop;
  const int64_t x0 = ox * g.strideW - g.padLeft;
  for (int64_t fy = 0; fy < g.fH; ++fy) {
    const int64_t iy = y0 + fy * g.dilH;
    if (iy < 0 || iy >= g.inH) continue;
    for (int64_t fx = 0; fx < g.fW; ++fx) {
      const int64_t ix = x0 + fx * g.dilW;
      if (ix < 0 || ix >= g.inW) continue;
      visit(((b * g.inH + iy) * g.inW + ix) * g.inC);
    }
  }
}

}  // namespace

void MaxPool(const float* x, float* y, const ConvGeometry& g) {
  const int64_t C = g.inC;
  for (int64_t b = 0; b < g.batch; ++b)
    for (int64_t oy = 0; oy < g.outH; ++oy)
      for (int64_t ox = 0; ox < g.outW; ++ox) {
        float* __restrict out = y + ((b * g.outH + oy) * g.outW + ox) * C;
        std::fill(out, out + C, -std::numeric_limits<float>::infinity());
        WalkWindow(g, b, oy, ox, [&](int64_t offset) {
          const float* __restrict in = x + offset;
          for (int64_t c = 0; c < C; ++c) out[c] = in[c] > out[c] ? in[c] : out[c];
        });
      }
}

void MaxPoolGrad(const float* dy, const float* x, float* dx, const ConvGeometry& g) {
  const int64_t C = g.inC;
  std::fill(dx, dx + g.xSize(), 0.0f);
  // Per channel, the window index of the first maximum, found with selects rather than branches (the comparisons
  // are data-dependent and would mispredict), over the window's in-bounds pixels recorded in `offsets`.
  thread_local std::vector<float> bestValue;
  thread_local std::vector<int32_t> bestK;
  thread_local std::vector<int64_t> offsets;
  bestValue.resize(static_cast<size_t>(C));
  bestK.resize(static_cast<size_t>(C));
  offsets.resize(static_cast<size_t>(g.fH * g.fW));
  // Plain pointers: thread_local accesses from a shared object go through __tls_get_addr each time.
  float* __restrict bv = bestValue.data();
  int32_t* __restrict bk = bestK.data();
  int64_t* __restrict offs = offsets.data();
  for (int64_t b = 0; b < g.batch; ++b)
    for (int64_t oy = 0; oy < g.outH; ++oy)
      for (int64_t ox = 0; ox < g.outW; ++ox) {
        int32_t count = 0;
        WalkWindow(g, b, oy, ox, [&](int64_t offset) { offs[count++] = offset; });
        std::fill(bv, bv + C, -std::numeric_limits<float>::infinity());
        std::fill(bk, bk + C, int32_t{-1});
        for (int32_t k = 0; k < count; ++k) {
          const float* __restrict in = x + offs[k];
          // Branch-free (a mask from the comparison selects value and index), so the loop vectorizes.
          for (int64_t c = 0; c < C; ++c) {
            const float v = in[c];
            const float cur = bv[c];
            const int32_t mask = -static_cast<int32_t>(v > cur);
            bv[c] = v > cur ? v : cur;
            bk[c] = (k & mask) | (bk[c] & ~mask);
          }
        }
        const float* grad = dy + ((b * g.outH + oy) * g.outW + ox) * C;
        for (int64_t c = 0; c < C; ++c) {
          if (bk[c] >= 0) dx[offs[bk[c]] + c] += grad[c];
        }
      }
}

}  // namespace atlas
