// Tensor math: elementwise, linear algebra, shape, indexing and reductions.
// Results are new owned handles; functions ending in _ modify their first argument.
#pragma once
#include "mlc_common.h"

// Unary and binary elementwise ops are selected by code so the ABI stays small and a
// new op costs one switch line. The codes are mirrored by UnaryOp/BinaryOp in C#.
enum mlc_unary_op {
  MLC_NEG = 0, MLC_EXP, MLC_LOG, MLC_SQRT, MLC_RSQRT, MLC_ABS, MLC_TANH, MLC_SIGMOID, MLC_RELU,
  MLC_GELU, MLC_GELU_TANH, MLC_QUICK_GELU, MLC_SIN, MLC_COS, MLC_LOGICAL_NOT, MLC_SQUARE, MLC_RECIPROCAL,
  MLC_ERF, MLC_FLOOR, MLC_ISNAN, MLC_ISFINITE, MLC_SIGN, MLC_SILU
};
enum mlc_binary_op {
  MLC_ADD = 0, MLC_SUB, MLC_MUL, MLC_DIV, MLC_POW, MLC_MAXIMUM, MLC_MINIMUM, MLC_EQ, MLC_NE, MLC_LT, MLC_LE,
  MLC_GT, MLC_GE, MLC_LOGICAL_AND, MLC_LOGICAL_OR, MLC_REMAINDER, MLC_ATAN2
};

MLC_API mlc_tensor mlc_unary(int op, mlc_tensor a);
MLC_API int mlc_unary_(int op, mlc_tensor a);
MLC_API mlc_tensor mlc_binary(int op, mlc_tensor a, mlc_tensor b);
MLC_API mlc_tensor mlc_binary_scalar(int op, mlc_tensor a, double b);
MLC_API mlc_tensor mlc_rbinary_scalar(int op, double a, mlc_tensor b);
MLC_API int mlc_binary_(int op, mlc_tensor a, mlc_tensor b);
MLC_API int mlc_binary_scalar_(int op, mlc_tensor a, double b);
MLC_API mlc_tensor mlc_add_scaled(mlc_tensor a, mlc_tensor b, double alpha);
MLC_API int mlc_add_scaled_(mlc_tensor a, mlc_tensor b, double alpha);
MLC_API int mlc_lerp_(mlc_tensor a, mlc_tensor end, double weight);
MLC_API int mlc_copy_(mlc_tensor dst, mlc_tensor src);
MLC_API int mlc_fill_(mlc_tensor a, double value);
MLC_API int mlc_zero_(mlc_tensor a);
// Bounds are ignored when their has_ flag is 0.
MLC_API mlc_tensor mlc_clamp(mlc_tensor a, int has_min, double min, int has_max, double max);
MLC_API int mlc_clamp_(mlc_tensor a, int has_min, double min, int has_max, double max);
MLC_API mlc_tensor mlc_where(mlc_tensor cond, mlc_tensor a, mlc_tensor b);
MLC_API mlc_tensor mlc_masked_fill(mlc_tensor a, mlc_tensor mask, double value);
MLC_API mlc_tensor mlc_masked_select(mlc_tensor a, mlc_tensor mask);
MLC_API mlc_tensor mlc_lerp(mlc_tensor a, mlc_tensor end, double weight);

MLC_API mlc_tensor mlc_matmul(mlc_tensor a, mlc_tensor b);
MLC_API mlc_tensor mlc_bmm(mlc_tensor a, mlc_tensor b);
MLC_API mlc_tensor mlc_outer(mlc_tensor a, mlc_tensor b);

MLC_API mlc_tensor mlc_view(mlc_tensor a, const int64_t* shape, int64_t ndim);
MLC_API mlc_tensor mlc_reshape(mlc_tensor a, const int64_t* shape, int64_t ndim);
MLC_API mlc_tensor mlc_permute(mlc_tensor a, const int64_t* order, int64_t ndim);
MLC_API mlc_tensor mlc_transpose(mlc_tensor a, int64_t d0, int64_t d1);
MLC_API mlc_tensor mlc_flatten(mlc_tensor a, int64_t start, int64_t end);
MLC_API mlc_tensor mlc_unsqueeze(mlc_tensor a, int64_t dim);
MLC_API mlc_tensor mlc_squeeze(mlc_tensor a, int64_t dim);
MLC_API mlc_tensor mlc_expand(mlc_tensor a, const int64_t* shape, int64_t ndim);
MLC_API mlc_tensor mlc_repeat(mlc_tensor a, const int64_t* repeats, int64_t ndim);
MLC_API mlc_tensor mlc_narrow(mlc_tensor a, int64_t dim, int64_t start, int64_t length);
MLC_API mlc_tensor mlc_select(mlc_tensor a, int64_t dim, int64_t index);
MLC_API mlc_tensor mlc_slice(mlc_tensor a, int64_t dim, int64_t start, int64_t end, int64_t step);
MLC_API mlc_tensor mlc_cat(const mlc_tensor* ts, int64_t n, int64_t dim);
MLC_API mlc_tensor mlc_stack(const mlc_tensor* ts, int64_t n, int64_t dim);
// Results go to `out` (capacity `cap`); the count is returned, -1 on failure.
MLC_API int64_t mlc_split(mlc_tensor a, int64_t size, int64_t dim, mlc_tensor* out, int64_t cap);
MLC_API int64_t mlc_split_sizes(mlc_tensor a, const int64_t* sizes, int64_t n, int64_t dim, mlc_tensor* out, int64_t cap);
MLC_API int64_t mlc_chunk(mlc_tensor a, int64_t chunks, int64_t dim, mlc_tensor* out, int64_t cap);
MLC_API mlc_tensor mlc_tril(mlc_tensor a, int64_t diagonal);
MLC_API mlc_tensor mlc_triu(mlc_tensor a, int64_t diagonal);
MLC_API mlc_tensor mlc_flip(mlc_tensor a, const int64_t* dims, int64_t ndim);

MLC_API mlc_tensor mlc_gather(mlc_tensor a, int64_t dim, mlc_tensor index);
MLC_API mlc_tensor mlc_index_select(mlc_tensor a, int64_t dim, mlc_tensor index);
MLC_API mlc_tensor mlc_scatter(mlc_tensor a, int64_t dim, mlc_tensor index, mlc_tensor src);
MLC_API mlc_tensor mlc_scatter_add(mlc_tensor a, int64_t dim, mlc_tensor index, mlc_tensor src);
MLC_API mlc_tensor mlc_index_put(mlc_tensor a, mlc_tensor index, mlc_tensor values, int accumulate);

// Reductions take a dimension list; ndim == 0 reduces over everything.
MLC_API mlc_tensor mlc_sum(mlc_tensor a, const int64_t* dims, int64_t ndim, int keepdim);
MLC_API mlc_tensor mlc_mean(mlc_tensor a, const int64_t* dims, int64_t ndim, int keepdim);
MLC_API mlc_tensor mlc_var(mlc_tensor a, const int64_t* dims, int64_t ndim, int unbiased, int keepdim);
MLC_API mlc_tensor mlc_norm(mlc_tensor a, double p, const int64_t* dims, int64_t ndim, int keepdim);
MLC_API mlc_tensor mlc_amax(mlc_tensor a, const int64_t* dims, int64_t ndim, int keepdim);
MLC_API mlc_tensor mlc_amin(mlc_tensor a, const int64_t* dims, int64_t ndim, int keepdim);
MLC_API mlc_tensor mlc_logsumexp(mlc_tensor a, const int64_t* dims, int64_t ndim, int keepdim);
MLC_API int mlc_max_dim(mlc_tensor a, int64_t dim, int keepdim, mlc_tensor* values, mlc_tensor* indices);
MLC_API int mlc_min_dim(mlc_tensor a, int64_t dim, int keepdim, mlc_tensor* values, mlc_tensor* indices);
MLC_API mlc_tensor mlc_argmax(mlc_tensor a, int64_t dim, int keepdim);
MLC_API mlc_tensor mlc_argmin(mlc_tensor a, int64_t dim, int keepdim);
MLC_API mlc_tensor mlc_cumsum(mlc_tensor a, int64_t dim);
MLC_API int mlc_topk(mlc_tensor a, int64_t k, int64_t dim, int largest, int sorted, mlc_tensor* values, mlc_tensor* indices);
MLC_API int mlc_sort(mlc_tensor a, int64_t dim, int descending, int stable, mlc_tensor* values, mlc_tensor* indices);
MLC_API mlc_tensor mlc_argsort(mlc_tensor a, int64_t dim, int descending);
MLC_API mlc_tensor mlc_multinomial(mlc_tensor probs, int64_t n, int replacement, mlc_generator g);
MLC_API int mlc_allclose(mlc_tensor a, mlc_tensor b, double rtol, double atol);
