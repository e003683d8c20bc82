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

// Upper bound of the im2col scratch buffer, in floats (16 MiB), unless a single output pixel's patch needs more.
constexpr int64_t kScratchFloats = int64_t{4} << 20;

}  // namespace atlas
