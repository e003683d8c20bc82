// Native float32 kernels of the atlas-native TF.js backend, over OpenBLAS. Pure C++ (no N-API): addon.cc validates
// every size against the typed arrays it receives and then calls these on raw pointers.
#pragma once

#include <cstddef>
#include <cstdint>

namespace atlas {

// Batched C[b] = op(A[b % batchA]) · op(B[b % batchB]) for b < max(batchA, batchB); row-major, op = transpose or not.
// A[b] is m×k (k×m when transA), B[b] is k×n (n×k when transB), C[b] is m×n. This is the broadcasting rule of
// TF.js's BatchMatMul once its outer dims are flattened (one side's batch is 1, or both are equal).
void BatchMatMul(const float* a, const float* b, float* c, int64_t batchA, int64_t batchB, int64_t m, int64_t n,
                 int64_t k, bool transA, bool transB);

enum class Activation : int32_t { kLinear = 0, kRelu = 1, kRelu6 = 2, kLeakyRelu = 3, kSigmoid = 4, kElu = 5 };

// In place on rows×n: c[r, j] += bias[j % biasLen] (biasLen is n or 1; 0 = no bias), then the activation.
void BiasActivation(float* c, int64_t rows, int64_t n, const float* bias, int64_t biasLen, Activation act,
                    float leakyAlpha);

// NHWC input, HWIO filter, NHWC output; explicit padding (top/left; bottom/right follow from the output size).
struct ConvGeometry {
  int64_t batch, inH, inW, inC, outH, outW, outC, fH, fW, strideH, strideW, dilH, dilW, padTop, padLeft;
  int64_t xSize() const { return batch * inH * inW * inC; }
  int64_t ySize() const { return batch * outH * outW * outC; }
  int64_t wSize() const { return fH * fW * inC * outC; }
  // Columns of one im2col row: one output pixel's receptive field, laid out like the filter's first three axes.
  int64_t patch() const { return fH * fW * inC; }
};

// Returns false when geometry is not a valid convolution (non-positive sizes or strides, negative padding).
bool ValidGeometry(const ConvGeometry& g);

// y = conv2d(x, w). im2col runs on tiles of output pixels so the scratch buffer stays bounded (kScratchFloats).
void Conv2D(const float* x, const float* w, float* y, const ConvGeometry& g);
// dx = ∂/∂x of <dy, conv2d(x, w)>: dcol = dy · wᵀ per tile, then col2im scatter-adds into dx.
void Conv2DBackpropInput(const float* dy, const float* w, float* dx, const ConvGeometry& g);
// dw = Σ over tiles of colᵀ · dy.
void Conv2DBackpropFilter(const float* x, const float* dy, float* dw, const ConvGeometry& g);

// out[o, i] = Σ_r x[o, r, i] for a tensor viewed as outer×reduce×inner, accumulated in double (TF.js's cpu Sum
// accumulates in JS numbers, i.e. doubles).
void SumMiddle(const float* x, float* out, int64_t outer, int64_t reduce, int64_t inner);

enum class BinaryOp : int32_t { kAdd = 0, kSub = 1, kMul = 2, kDiv = 3, kSquaredDifference = 4, kMaximum = 5, kMinimum = 6 };

// out = a ∘ b with broadcasting: out has `rank` dims `shape`; aStrides/bStrides are element strides per out dim
// (0 where that operand is broadcast).
void BinaryBroadcast(BinaryOp op, const float* a, const float* b, float* out, int32_t rank, const int64_t* shape,
                     const int64_t* aStrides, const int64_t* bStrides);

// Max pooling, NHWC. Shares ConvGeometry with outC == inC (fH/fW the window, dilations as in conv). An output is the
// largest non-NaN value of its window (-inf if none).
void MaxPool(const float* x, float* y, const ConvGeometry& g);
// dx: each output's dy is added at the first position of its window holding the window's maximum (none if the
// window has no non-NaN value), which is how TF.js's reference kernel routes the gradient, ties included.
void MaxPoolGrad(const float* dy, const float* x, float* dx, const ConvGeometry& g);

// Rows of output pixels per im2col tile: the tile (rows × patch floats) is sized to stay in a core's L2 cache
// between being written and being read by the GEMM — measured 2–4× faster than multi-MiB tiles here — but keeps
// at least kMinTileRows rows so the GEMM does not degenerate for very wide patches.
constexpr int64_t kTileFloats = int64_t{128} << 10;
constexpr int64_t kMinTileRows = 64;

}  // namespace atlas
