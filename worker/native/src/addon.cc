// N-API surface of the atlas-native addon: checks every argument (types, sizes against the typed arrays' lengths)
// and runs the kernels of kernels.cc directly on the arrays' memory, without copies. The arrays may be views of the
// TF.js wasm heap; the caller takes those views after allocating outputs (a heap can grow and move).
#include <cblas.h>
#include <node_api.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "kernels.h"

namespace {

// Thrown as a JS error by the Wrap() boundary; carries the message to report.
struct ArgError {
  std::string message;
};

void Check(napi_status status, const char* what) {
  if (status != napi_ok) throw ArgError{std::string("N-API call failed: ") + what};
}

struct Args {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
  const char* fn;

  Args(napi_env e, napi_callback_info info, const char* name, size_t expected) : env(e), fn(name) {
    Check(napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr), "get_cb_info");
    if (argc < expected)
      throw ArgError{std::string(fn) + ": expected " + std::to_string(expected) + " arguments, got " +
                     std::to_string(argc)};
  }

  [[noreturn]] void Fail(size_t i, const std::string& why) const {
    throw ArgError{std::string(fn) + ": argument " + std::to_string(i) + " " + why};
  }

  bool IsNull(size_t i) const {
    napi_valuetype t;
    Check(napi_typeof(env, argv[i], &t), "typeof");
    return t == napi_null || t == napi_undefined;
  }

  // A Float32Array holding at least `minLength` elements.
  float* Floats(size_t i, int64_t minLength) const {
    bool isTyped = false;
    Check(napi_is_typedarray(env, argv[i], &isTyped), "is_typedarray");
    if (!isTyped) Fail(i, "must be a Float32Array");
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    Check(napi_get_typedarray_info(env, argv[i], &type, &length, &data, nullptr, nullptr), "typedarray_info");
    if (type != napi_float32_array) Fail(i, "must be a Float32Array");
    if (static_cast<int64_t>(length) < minLength)
      Fail(i, "has " + std::to_string(length) + " elements, needs " + std::to_string(minLength));
    return static_cast<float*>(data);
  }

  // An Int32Array of exactly `length` elements (length < 0: any length, reported through *outLength).
  const int32_t* Ints(size_t i, int64_t length, size_t* outLength = nullptr) const {
    bool isTyped = false;
    Check(napi_is_typedarray(env, argv[i], &isTyped), "is_typedarray");
    if (!isTyped) Fail(i, "must be an Int32Array");
    napi_typedarray_type type;
    size_t n = 0;
    void* data = nullptr;
    Check(napi_get_typedarray_info(env, argv[i], &type, &n, &data, nullptr, nullptr), "typedarray_info");
    if (type != napi_int32_array) Fail(i, "must be an Int32Array");
    if (length >= 0 && static_cast<int64_t>(n) != length)
      Fail(i, "must have " + std::to_string(length) + " elements, has " + std::to_string(n));
    if (outLength != nullptr) *outLength = n;
    return static_cast<const int32_t*>(data);
  }

  // A non-negative integer (sizes handed to BLAS must fit its 32-bit int).
  int64_t Size(size_t i) const {
    int64_t v = 0;
    napi_valuetype t;
    Check(napi_typeof(env, argv[i], &t), "typeof");
    if (t != napi_number) Fail(i, "must be a number");
    Check(napi_get_value_int64(env, argv[i], &v), "get_value_int64");
    if (v < 0 || v > INT_MAX) Fail(i, "must be an integer in [0, " + std::to_string(INT_MAX) + "]");
    return v;
  }

  bool Bool(size_t i) const {
    bool v = false;
    if (napi_get_value_bool(env, argv[i], &v) != napi_ok) Fail(i, "must be a boolean");
    return v;
  }

  double Number(size_t i) const {
    double v = 0;
    if (napi_get_value_double(env, argv[i], &v) != napi_ok) Fail(i, "must be a number");
    return v;
  }
};

template <typename F>
napi_value Wrap(napi_env env, F body) {
  try {
    return body();
  } catch (const ArgError& e) {
    napi_throw_range_error(env, "ERR_ATLAS_NATIVE_ARG", e.message.c_str());
    return nullptr;
  }
}

napi_value Undefined(napi_env env) {
  napi_value v;
  napi_get_undefined(env, &v);
  return v;
}

int64_t Mul(int64_t a, int64_t b) {
  if (a != 0 && b > INT64_MAX / a) throw ArgError{"size overflow"};
  return a * b;
}

// matmul(a, b, c, batchA, batchB, m, n, k, transA, transB)
napi_value MatMul(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "matmul", 10);
    const int64_t batchA = args.Size(3), batchB = args.Size(4), m = args.Size(5), n = args.Size(6), k = args.Size(7);
    const bool transA = args.Bool(8), transB = args.Bool(9);
    if (batchA != batchB && batchA != 1 && batchB != 1) args.Fail(4, "batch sizes must be equal or one of them 1");
    const int64_t batch = batchA > batchB ? batchA : batchB;
    const float* a = args.Floats(0, Mul(batchA, Mul(m, k)));
    const float* b = args.Floats(1, Mul(batchB, Mul(k, n)));
    float* c = args.Floats(2, Mul(batch, Mul(m, n)));
    atlas::BatchMatMul(a, b, c, batchA, batchB, m, n, k, transA, transB);
    return Undefined(env);
  });
}

// biasActivation(c, rows, n, bias | null, activation, leakyAlpha)
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "biasActivation", 6);
    const int64_t rows = args.Size(1), n = args.Size(2);
    float* c = args.Floats(0, Mul(rows, n));
    const float* bias = nullptr;
    int64_t biasLen = 0;
    if (!args.IsNull(3)) {
      // The bias is a row of n values or a single scalar.
      bias = args.Floats(3, 1);
      size_t length = 0;
      Check(napi_get_typedarray_info(env, args.argv[3], nullptr, &length, nullptr, nullptr, nullptr), "info");
      biasLen = static_cast<int64_t>(length);
      if (biasLen != n && biasLen != 1) args.Fail(3, "must hold n or 1 values");
    }
    const int64_t act = args.Size(4);
    if (act > static_cast<int64_t>(atlas::Activation::kElu)) args.Fail(4, "is not a known activation");
    atlas::BiasActivation(c, rows, n, bias, biasLen, static_cast<atlas::Activation>(act),
                          static_cast<float>(args.Number(5)));
    return Undefined(env);
  });
}

atlas::ConvGeometry Geometry(const Args& args, size_t i) {
  const int32_t* v = args.Ints(i, 15);
  atlas::ConvGeometry g{v[0], v[1], v[2],  v[3],  v[4],  v[5],  v[6], v[7],
                        v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  if (!atlas::ValidGeometry(g)) args.Fail(i, "is not a valid convolution geometry");
  // Every GEMM dimension of the im2col formulation must fit a BLAS int.
  if (Mul(Mul(g.batch, g.outH), g.outW) > INT_MAX || g.patch() > INT_MAX) args.Fail(i, "is too large for BLAS");
  return g;
}

// conv2d(x, w, y, geometry)
napi_value Conv2D(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "conv2d", 4);
    const atlas::ConvGeometry g = Geometry(args, 3);
    atlas::Conv2D(args.Floats(0, g.xSize()), args.Floats(1, g.wSize()), args.Floats(2, g.ySize()), g);
    return Undefined(env);
  });
}

// conv2dBackpropInput(dy, w, dx, geometry)
napi_value Conv2DBackpropInput(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "conv2dBackpropInput", 4);
    const atlas::ConvGeometry g = Geometry(args, 3);
    atlas::Conv2DBackpropInput(args.Floats(0, g.ySize()), args.Floats(1, g.wSize()), args.Floats(2, g.xSize()), g);
    return Undefined(env);
  });
}

// conv2dBackpropFilter(x, dy, dw, geometry)
napi_value Conv2DBackpropFilter(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "conv2dBackpropFilter", 4);
    const atlas::ConvGeometry g = Geometry(args, 3);
    atlas::Conv2DBackpropFilter(args.Floats(0, g.xSize()), args.Floats(1, g.ySize()), args.Floats(2, g.wSize()), g);
    return Undefined(env);
  });
}

// sumMiddle(x, out, outer, reduce, inner)
napi_value SumMiddle(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "sumMiddle", 5);
    const int64_t outer = args.Size(2), reduce = args.Size(3), inner = args.Size(4);
    const float* x = args.Floats(0, Mul(outer, Mul(reduce, inner)));
    float* out = args.Floats(1, Mul(outer, inner));
    atlas::SumMiddle(x, out, outer, reduce, inner);
    return Undefined(env);
  });
}

// binary(op, a, b, out, shape, aStrides, bStrides): shapes and strides as Int32Arrays of equal length (rank ≤ 8).
napi_value Binary(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "binary", 7);
    const int64_t op = args.Size(0);
    if (op > static_cast<int64_t>(atlas::BinaryOp::kMinimum)) args.Fail(0, "is not a known binary op");
    size_t rank = 0;
    const int32_t* shape32 = args.Ints(4, -1, &rank);
    if (rank > 8) args.Fail(4, "has rank above 8");
    const int32_t* as32 = args.Ints(5, static_cast<int64_t>(rank));
    const int32_t* bs32 = args.Ints(6, static_cast<int64_t>(rank));
    int64_t shape[8], as[8], bs[8];
    int64_t outSize = 1, aSpan = 1, bSpan = 1;
    for (size_t d = 0; d < rank; ++d) {
      if (shape32[d] < 0 || as32[d] < 0 || bs32[d] < 0) args.Fail(4, "has a negative size or stride");
      shape[d] = shape32[d];
      as[d] = as32[d];
      bs[d] = bs32[d];
      outSize = Mul(outSize, shape[d]);
    }
    if (outSize == 0) return Undefined(env);
    // The furthest element each operand is read at, +1: the minimum length its array must have.
    for (size_t d = 0; d < rank; ++d) {
      aSpan += Mul(as[d], shape[d] - 1);
      bSpan += Mul(bs[d], shape[d] - 1);
    }
    const float* a = args.Floats(1, aSpan);
    const float* b = args.Floats(2, bSpan);
    float* out = args.Floats(3, outSize);
    atlas::BinaryBroadcast(static_cast<atlas::BinaryOp>(op), a, b, out, static_cast<int32_t>(rank), shape, as, bs);
    return Undefined(env);
  });
}

// Pool geometry: the conv layout with outC == inC (the window in fH/fW).
atlas::ConvGeometry PoolGeometry(const Args& args, size_t i) {
  const atlas::ConvGeometry g = Geometry(args, i);
  if (g.outC != g.inC) args.Fail(i, "must have outC == inC for pooling");
  return g;
}

// maxPool(x, y, geometry)
napi_value MaxPool(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "maxPool", 3);
    const atlas::ConvGeometry g = PoolGeometry(args, 2);
    atlas::MaxPool(args.Floats(0, g.xSize()), args.Floats(1, g.ySize()), g);
    return Undefined(env);
  });
}

// maxPoolGrad(dy, x, dx, geometry)
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "maxPoolGrad", 4);
    const atlas::ConvGeometry g = PoolGeometry(args, 3);
    atlas::MaxPoolGrad(args.Floats(0, g.ySize()), args.Floats(1, g.xSize()), args.Floats(2, g.xSize()), g);
    return Undefined(env);
  });
}

// setNumThreads(n): BLAS threads for this process.
napi_value SetNumThreads(napi_env env, napi_callback_info info) {
  return Wrap(env, [&] {
    Args args(env, info, "setNumThreads", 1);
    const int64_t n = args.Size(0);
    if (n < 1) args.Fail(0, "must be at least 1");
    openblas_set_num_threads(static_cast<int>(n));
    return Undefined(env);
  });
}

napi_value SetString(napi_env env, napi_value obj, const char* key, const char* value) {
  napi_value v;
  Check(napi_create_string_utf8(env, value == nullptr ? "" : value, NAPI_AUTO_LENGTH, &v), "create_string");
  Check(napi_set_named_property(env, obj, key, v), "set_named_property");
  return obj;
}

// OPENBLAS_NUM_THREADS as OpenBLAS itself reads it at load (a positive integer), or 0 when unset or not one.
int32_t EnvThreads() {
  const char* v = std::getenv("OPENBLAS_NUM_THREADS");
  if (v == nullptr || *v == '\0') return 0;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  return (*end == '\0' && n > 0 && n <= 1024) ? static_cast<int32_t>(n) : 0;
}

void SetInt(napi_env env, napi_value obj, const char* key, int32_t value) {
  napi_value v;
  Check(napi_create_int32(env, value, &v), "create_int32");
  Check(napi_set_named_property(env, obj, key, v), "set_named_property");
}

// info(): { config, corename, numThreads, envThreads } of the OpenBLAS this addon is linked against.
napi_value Info(napi_env env, napi_callback_info) {
  return Wrap(env, [&] {
    napi_value obj;
    Check(napi_create_object(env, &obj), "create_object");
    SetString(env, obj, "config", openblas_get_config());
    SetString(env, obj, "corename", openblas_get_corename());
    SetInt(env, obj, "numThreads", openblas_get_num_threads());
    SetInt(env, obj, "envThreads", EnvThreads());
    return obj;
  });
}

// Bumped whenever a function's arguments change, so the loader can refuse a stale build.
constexpr int32_t kApiVersion = 4;

napi_value Init(napi_env env, napi_value exports) {
  napi_value apiVersion;
  if (napi_create_int32(env, kApiVersion, &apiVersion) != napi_ok) return nullptr;
  const napi_property_descriptor props[] = {
      {"apiVersion", nullptr, nullptr, nullptr, nullptr, apiVersion, napi_enumerable, nullptr},
      {"matmul", nullptr, MatMul, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActivation", nullptr, BiasActivation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, Conv2D, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, Conv2DBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, Conv2DBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumMiddle", nullptr, SumMiddle, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"binary", nullptr, Binary, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPool", nullptr, MaxPool, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setNumThreads", nullptr, SetNumThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"info", nullptr, Info, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  if (napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props) != napi_ok) return nullptr;
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
