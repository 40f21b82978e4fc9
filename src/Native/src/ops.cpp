#include "common.h"
#include "mlc_ops.h"

using mlc::borrow;
using mlc::dims;
using mlc::give;

namespace {

at::Tensor quick_gelu(const at::Tensor& x) { return x * at::sigmoid(x * 1.702); }

at::Tensor apply_unary(int op, const at::Tensor& a) {
  switch (op) {
    case MLC_NEG: return at::neg(a);
    case MLC_EXP: return at::exp(a);
    case MLC_LOG: return at::log(a);
    case MLC_SQRT: return at::sqrt(a);
    case MLC_RSQRT: return at::rsqrt(a);
    case MLC_ABS: return at::abs(a);
    case MLC_TANH: return at::tanh(a);
    case MLC_SIGMOID: return at::sigmoid(a);
    case MLC_RELU: return at::relu(a);
    case MLC_GELU: return at::gelu(a);
    case MLC_GELU_TANH: return at::gelu(a, "tanh");
    case MLC_QUICK_GELU: return quick_gelu(a);
    case MLC_SIN: return at::sin(a);
    case MLC_COS: return at::cos(a);
    case MLC_LOGICAL_NOT: return at::logical_not(a);
    case MLC_SQUARE: return at::square(a);
    case MLC_RECIPROCAL: return at::reciprocal(a);
    case MLC_ERF: return at::erf(a);
    case MLC_FLOOR: return at::floor(a);
    case MLC_ISNAN: return at::isnan(a);
    case MLC_ISFINITE: return at::isfinite(a);
    case MLC_SIGN: return at::sign(a);
    case MLC_SILU: return at::silu(a);
  }
  TORCH_CHECK(false, "unknown unary op code ", op);
}

void apply_unary_(int op, at::Tensor& a) {
  switch (op) {
    case MLC_NEG: a.neg_(); return;
    case MLC_EXP: a.exp_(); return;
    case MLC_LOG: a.log_(); return;
    case MLC_SQRT: a.sqrt_(); return;
    case MLC_RSQRT: a.rsqrt_(); return;
    case MLC_ABS: a.abs_(); return;
    case MLC_TANH: a.tanh_(); return;
    case MLC_SIGMOID: a.sigmoid_(); return;
    case MLC_RELU: a.relu_(); return;
    case MLC_SQUARE: a.square_(); return;
    case MLC_RECIPROCAL: a.reciprocal_(); return;
    case MLC_FLOOR: a.floor_(); return;
    default: a.copy_(apply_unary(op, a)); return;
  }
}

template <typename B>
at::Tensor apply_binary(int op, const at::Tensor& a, const B& b) {
  switch (op) {
    case MLC_ADD: return at::add(a, b);
    case MLC_SUB: return at::sub(a, b);
    case MLC_MUL: return at::mul(a, b);
    case MLC_DIV: return at::div(a, b);
    case MLC_POW: return at::pow(a, b);
    case MLC_MAXIMUM: return at::maximum(a, at::scalar_tensor(b, a.options()));
    case MLC_MINIMUM: return at::minimum(a, at::scalar_tensor(b, a.options()));
    case MLC_EQ: return at::eq(a, b);
    case MLC_NE: return at::ne(a, b);
    case MLC_LT: return at::lt(a, b);
    case MLC_LE: return at::le(a, b);
    case MLC_GT: return at::gt(a, b);
    case MLC_GE: return at::ge(a, b);
    case MLC_REMAINDER: return at::remainder(a, b);
    default: break;
  }
  TORCH_CHECK(false, "binary op code ", op, " does not take a scalar operand");
}

template <>
at::Tensor apply_binary<at::Tensor>(int op, const at::Tensor& a, const at::Tensor& b) {
  switch (op) {
    case MLC_ADD: return at::add(a, b);
    case MLC_SUB: return at::sub(a, b);
    case MLC_MUL: return at::mul(a, b);
    case MLC_DIV: return at::div(a, b);
    case MLC_POW: return at::pow(a, b);
    case MLC_MAXIMUM: return at::maximum(a, b);
    case MLC_MINIMUM: return at::minimum(a, b);
    case MLC_EQ: return at::eq(a, b);
    case MLC_NE: return at::ne(a, b);
    case MLC_LT: return at::lt(a, b);
    case MLC_LE: return at::le(a, b);
    case MLC_GT: return at::gt(a, b);
    case MLC_GE: return at::ge(a, b);
    case MLC_LOGICAL_AND: return at::logical_and(a, b);
    case MLC_LOGICAL_OR: return at::logical_or(a, b);
    case MLC_REMAINDER: return at::remainder(a, b);
    case MLC_ATAN2: return at::atan2(a, b);
  }
  TORCH_CHECK(false, "unknown binary op code ", op);
}

template <typename B>
void apply_binary_(int op, at::Tensor& a, const B& b) {
  switch (op) {
    case MLC_ADD: a.add_(b); return;
    case MLC_SUB: a.sub_(b); return;
    case MLC_MUL: a.mul_(b); return;
    case MLC_DIV: a.div_(b); return;
    case MLC_POW: a.pow_(b); return;
    default: a.copy_(apply_binary(op, a, b)); return;
  }
}

c10::optional<at::Scalar> bound(int has, double v) {
  if (!has) return c10::nullopt;
  return at::Scalar(v);
}

}  // namespace

MLC_API mlc_tensor mlc_unary(int op, mlc_tensor a) { MLC_GUARD(nullptr, return give(apply_unary(op, borrow(a)));) }
MLC_API int mlc_unary_(int op, mlc_tensor a) {
  MLC_GUARD(0, {
    auto t = borrow(a);
    apply_unary_(op, t);
    return 1;
  })
}
MLC_API mlc_tensor mlc_binary(int op, mlc_tensor a, mlc_tensor b) {
  MLC_GUARD(nullptr, return give(apply_binary<at::Tensor>(op, borrow(a), borrow(b)));)
}
MLC_API mlc_tensor mlc_binary_scalar(int op, mlc_tensor a, double b) {
  MLC_GUARD(nullptr, return give(apply_binary(op, borrow(a), at::Scalar(b)));)
}
MLC_API mlc_tensor mlc_rbinary_scalar(int op, double a, mlc_tensor b) {
  MLC_GUARD(nullptr, {
    auto t = borrow(b);
    return give(apply_binary<at::Tensor>(op, at::scalar_tensor(a, t.options()), t));
  })
}
MLC_API int mlc_binary_(int op, mlc_tensor a, mlc_tensor b) {
  MLC_GUARD(0, {
    auto t = borrow(a);
    apply_binary_(op, t, borrow(b));
    return 1;
  })
}
MLC_API int mlc_binary_scalar_(int op, mlc_tensor a, double b) {
  MLC_GUARD(0, {
    auto t = borrow(a);
    apply_binary_(op, t, at::Scalar(b));
    return 1;
  })
}
MLC_API mlc_tensor mlc_add_scaled(mlc_tensor a, mlc_tensor b, double alpha) {
  MLC_GUARD(nullptr, return give(at::add(borrow(a), borrow(b), alpha));)
}
MLC_API int mlc_add_scaled_(mlc_tensor a, mlc_tensor b, double alpha) {
  MLC_GUARD(0, {
    borrow(a).add_(borrow(b), alpha);
    return 1;
  })
}
MLC_API int mlc_lerp_(mlc_tensor a, mlc_tensor end, double weight) {
  MLC_GUARD(0, {
    borrow(a).lerp_(borrow(end), weight);
    return 1;
  })
}
MLC_API mlc_tensor mlc_lerp(mlc_tensor a, mlc_tensor end, double weight) {
  MLC_GUARD(nullptr, return give(at::lerp(borrow(a), borrow(end), weight));)
}
MLC_API int mlc_copy_(mlc_tensor dst, mlc_tensor src) {
  MLC_GUARD(0, {
    borrow(dst).copy_(borrow(src));
    return 1;
  })
}
MLC_API int mlc_fill_(mlc_tensor a, double value) {
  MLC_GUARD(0, {
    borrow(a).fill_(value);
    return 1;
  })
}
MLC_API int mlc_zero_(mlc_tensor a) {
  MLC_GUARD(0, {
    borrow(a).zero_();
    return 1;
  })
}
MLC_API mlc_tensor mlc_clamp(mlc_tensor a, int has_min, double min, int has_max, double max) {
  MLC_GUARD(nullptr, return give(at::clamp(borrow(a), bound(has_min, min), bound(has_max, max)));)
}
MLC_API int mlc_clamp_(mlc_tensor a, int has_min, double min, int has_max, double max) {
  MLC_GUARD(0, {
    borrow(a).clamp_(bound(has_min, min), bound(has_max, max));
    return 1;
  })
}
MLC_API mlc_tensor mlc_where(mlc_tensor cond, mlc_tensor a, mlc_tensor b) {
  MLC_GUARD(nullptr, return give(at::where(borrow(cond), borrow(a), borrow(b)));)
}
MLC_API mlc_tensor mlc_masked_fill(mlc_tensor a, mlc_tensor mask, double value) {
  MLC_GUARD(nullptr, return give(at::masked_fill(borrow(a), borrow(mask), value));)
}
MLC_API mlc_tensor mlc_masked_select(mlc_tensor a, mlc_tensor mask) {
  MLC_GUARD(nullptr, return give(at::masked_select(borrow(a), borrow(mask)));)
}

MLC_API mlc_tensor mlc_matmul(mlc_tensor a, mlc_tensor b) { MLC_GUARD(nullptr, return give(at::matmul(borrow(a), borrow(b)));) }
MLC_API mlc_tensor mlc_bmm(mlc_tensor a, mlc_tensor b) { MLC_GUARD(nullptr, return give(at::bmm(borrow(a), borrow(b)));) }
MLC_API mlc_tensor mlc_outer(mlc_tensor a, mlc_tensor b) { MLC_GUARD(nullptr, return give(at::outer(borrow(a), borrow(b)));) }

MLC_API mlc_tensor mlc_view(mlc_tensor a, const int64_t* s, int64_t n) { MLC_GUARD(nullptr, return give(borrow(a).view(dims(s, n)));) }
MLC_API mlc_tensor mlc_reshape(mlc_tensor a, const int64_t* s, int64_t n) { MLC_GUARD(nullptr, return give(borrow(a).reshape(dims(s, n)));) }
MLC_API mlc_tensor mlc_permute(mlc_tensor a, const int64_t* o, int64_t n) { MLC_GUARD(nullptr, return give(borrow(a).permute(dims(o, n)));) }
MLC_API mlc_tensor mlc_transpose(mlc_tensor a, int64_t d0, int64_t d1) { MLC_GUARD(nullptr, return give(borrow(a).transpose(d0, d1));) }
MLC_API mlc_tensor mlc_flatten(mlc_tensor a, int64_t s, int64_t e) { MLC_GUARD(nullptr, return give(borrow(a).flatten(s, e));) }
MLC_API mlc_tensor mlc_unsqueeze(mlc_tensor a, int64_t d) { MLC_GUARD(nullptr, return give(borrow(a).unsqueeze(d));) }
MLC_API mlc_tensor mlc_squeeze(mlc_tensor a, int64_t d) { MLC_GUARD(nullptr, return give(borrow(a).squeeze(d));) }
MLC_API mlc_tensor mlc_expand(mlc_tensor a, const int64_t* s, int64_t n) { MLC_GUARD(nullptr, return give(borrow(a).expand(dims(s, n)));) }
MLC_API mlc_tensor mlc_repeat(mlc_tensor a, const int64_t* r, int64_t n) { MLC_GUARD(nullptr, return give(borrow(a).repeat(dims(r, n)));) }
MLC_API mlc_tensor mlc_narrow(mlc_tensor a, int64_t d, int64_t s, int64_t l) { MLC_GUARD(nullptr, return give(borrow(a).narrow(d, s, l));) }
MLC_API mlc_tensor mlc_select(mlc_tensor a, int64_t d, int64_t i) { MLC_GUARD(nullptr, return give(borrow(a).select(d, i));) }
MLC_API mlc_tensor mlc_slice(mlc_tensor a, int64_t d, int64_t s, int64_t e, int64_t st) {
  MLC_GUARD(nullptr, return give(borrow(a).slice(d, s, e, st));)
}
MLC_API mlc_tensor mlc_cat(const mlc_tensor* ts, int64_t n, int64_t d) { MLC_GUARD(nullptr, return give(at::cat(mlc::borrow_list(ts, n), d));) }
MLC_API mlc_tensor mlc_stack(const mlc_tensor* ts, int64_t n, int64_t d) { MLC_GUARD(nullptr, return give(at::stack(mlc::borrow_list(ts, n), d));) }
MLC_API int64_t mlc_split(mlc_tensor a, int64_t size, int64_t d, mlc_tensor* out, int64_t cap) {
  MLC_GUARD(-1, return mlc::give_list(borrow(a).split(size, d), out, cap);)
}
MLC_API int64_t mlc_split_sizes(mlc_tensor a, const int64_t* sizes, int64_t n, int64_t d, mlc_tensor* out, int64_t cap) {
  MLC_GUARD(-1, return mlc::give_list(borrow(a).split_with_sizes(dims(sizes, n), d), out, cap);)
}
MLC_API int64_t mlc_chunk(mlc_tensor a, int64_t chunks, int64_t d, mlc_tensor* out, int64_t cap) {
  MLC_GUARD(-1, return mlc::give_list(borrow(a).chunk(chunks, d), out, cap);)
}
MLC_API mlc_tensor mlc_tril(mlc_tensor a, int64_t k) { MLC_GUARD(nullptr, return give(at::tril(borrow(a), k));) }
MLC_API mlc_tensor mlc_triu(mlc_tensor a, int64_t k) { MLC_GUARD(nullptr, return give(at::triu(borrow(a), k));) }
MLC_API mlc_tensor mlc_flip(mlc_tensor a, const int64_t* d, int64_t n) { MLC_GUARD(nullptr, return give(at::flip(borrow(a), dims(d, n)));) }

MLC_API mlc_tensor mlc_gather(mlc_tensor a, int64_t d, mlc_tensor i) { MLC_GUARD(nullptr, return give(at::gather(borrow(a), d, borrow(i)));) }
MLC_API mlc_tensor mlc_index_select(mlc_tensor a, int64_t d, mlc_tensor i) {
  MLC_GUARD(nullptr, return give(at::index_select(borrow(a), d, borrow(i)));)
}
MLC_API mlc_tensor mlc_scatter(mlc_tensor a, int64_t d, mlc_tensor i, mlc_tensor s) {
  MLC_GUARD(nullptr, return give(at::scatter(borrow(a), d, borrow(i), borrow(s)));)
}
MLC_API mlc_tensor mlc_scatter_add(mlc_tensor a, int64_t d, mlc_tensor i, mlc_tensor s) {
  MLC_GUARD(nullptr, return give(at::scatter_add(borrow(a), d, borrow(i), borrow(s)));)
}
MLC_API mlc_tensor mlc_index_put(mlc_tensor a, mlc_tensor index, mlc_tensor values, int accumulate) {
  MLC_GUARD(nullptr, {
    c10::List<c10::optional<at::Tensor>> idx;
    idx.push_back(borrow(index));
    return give(at::index_put(borrow(a), idx, borrow(values), accumulate != 0));
  })
}

MLC_API mlc_tensor mlc_sum(mlc_tensor a, const int64_t* d, int64_t n, int keepdim) {
  MLC_GUARD(nullptr, {
    auto t = borrow(a);
    if (n == 0 && !keepdim) return give(t.sum());
    return give(n == 0 ? t.sum(c10::nullopt, keepdim != 0) : t.sum(dims(d, n), keepdim != 0));
  })
}
MLC_API mlc_tensor mlc_mean(mlc_tensor a, const int64_t* d, int64_t n, int keepdim) {
  MLC_GUARD(nullptr, {
    auto t = borrow(a);
    if (n == 0 && !keepdim) return give(t.mean());
    return give(n == 0 ? t.mean(c10::nullopt, keepdim != 0) : t.mean(dims(d, n), keepdim != 0));
  })
}
MLC_API mlc_tensor mlc_var(mlc_tensor a, const int64_t* d, int64_t n, int unbiased, int keepdim) {
  MLC_GUARD(nullptr, {
    auto t = borrow(a);
    return give(n == 0 ? t.var(c10::nullopt, unbiased != 0, keepdim != 0) : t.var(dims(d, n), unbiased != 0, keepdim != 0));
  })
}
MLC_API mlc_tensor mlc_norm(mlc_tensor a, double p, const int64_t* d, int64_t n, int keepdim) {
  MLC_GUARD(nullptr, {
    auto t = borrow(a);
    if (n == 0 && !keepdim) return give(at::norm(t, p));
    std::vector<int64_t> every;
    if (n == 0) for (int64_t i = 0; i < t.dim(); ++i) every.push_back(i);
    return give(at::norm(t, p, n == 0 ? at::IntArrayRef(every) : dims(d, n), keepdim != 0));
  })
}
MLC_API mlc_tensor mlc_amax(mlc_tensor a, const int64_t* d, int64_t n, int keepdim) {
  MLC_GUARD(nullptr, {
    auto t = borrow(a);
    if (n == 0 && !keepdim) return give(t.max());
    return give(at::amax(t, dims(d, n), keepdim != 0));
  })
}
MLC_API mlc_tensor mlc_amin(mlc_tensor a, const int64_t* d, int64_t n, int keepdim) {
  MLC_GUARD(nullptr, {
    auto t = borrow(a);
    if (n == 0 && !keepdim) return give(t.min());
    return give(at::amin(t, dims(d, n), keepdim != 0));
  })
}
MLC_API mlc_tensor mlc_logsumexp(mlc_tensor a, const int64_t* d, int64_t n, int keepdim) {
  MLC_GUARD(nullptr, {
    auto t = borrow(a);
    if (n == 0) return give(at::logsumexp(t.flatten(), {0}, keepdim != 0));
    return give(at::logsumexp(t, dims(d, n), keepdim != 0));
  })
}
MLC_API int mlc_max_dim(mlc_tensor a, int64_t d, int keepdim, mlc_tensor* values, mlc_tensor* indices) {
  MLC_GUARD(0, {
    auto r = at::max(borrow(a), d, keepdim != 0);
    *values = give(std::get<0>(r));
    *indices = give(std::get<1>(r));
    return 1;
  })
}
MLC_API int mlc_min_dim(mlc_tensor a, int64_t d, int keepdim, mlc_tensor* values, mlc_tensor* indices) {
  MLC_GUARD(0, {
    auto r = at::min(borrow(a), d, keepdim != 0);
    *values = give(std::get<0>(r));
    *indices = give(std::get<1>(r));
    return 1;
  })
}
MLC_API mlc_tensor mlc_argmax(mlc_tensor a, int64_t d, int keepdim) { MLC_GUARD(nullptr, return give(at::argmax(borrow(a), d, keepdim != 0));) }
MLC_API mlc_tensor mlc_argmin(mlc_tensor a, int64_t d, int keepdim) { MLC_GUARD(nullptr, return give(at::argmin(borrow(a), d, keepdim != 0));) }
MLC_API mlc_tensor mlc_cumsum(mlc_tensor a, int64_t d) { MLC_GUARD(nullptr, return give(at::cumsum(borrow(a), d));) }
MLC_API int mlc_topk(mlc_tensor a, int64_t k, int64_t d, int largest, int sorted, mlc_tensor* values, mlc_tensor* indices) {
  MLC_GUARD(0, {
    auto r = at::topk(borrow(a), k, d, largest != 0, sorted != 0);
    *values = give(std::get<0>(r));
    *indices = give(std::get<1>(r));
    return 1;
  })
}
MLC_API int mlc_sort(mlc_tensor a, int64_t d, int descending, int stable, mlc_tensor* values, mlc_tensor* indices) {
  MLC_GUARD(0, {
    auto r = at::sort(borrow(a), stable != 0, d, descending != 0);
    *values = give(std::get<0>(r));
    *indices = give(std::get<1>(r));
    return 1;
  })
}
MLC_API mlc_tensor mlc_argsort(mlc_tensor a, int64_t d, int descending) {
  MLC_GUARD(nullptr, return give(std::get<1>(at::sort(borrow(a), true, d, descending != 0)));)
}
MLC_API mlc_tensor mlc_multinomial(mlc_tensor probs, int64_t n, int replacement, mlc_generator g) {
  MLC_GUARD(nullptr, return give(at::multinomial(borrow(probs), n, replacement != 0, mlc::generator(g)));)
}
MLC_API int mlc_allclose(mlc_tensor a, mlc_tensor b, double rtol, double atol) {
  MLC_GUARD(-1, return at::allclose(borrow(a), borrow(b), rtol, atol) ? 1 : 0;)
}
