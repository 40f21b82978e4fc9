#include "common.h"
#include "mlc_nn.h"

#include <cmath>

using mlc::borrow;
using mlc::borrow_opt;
using mlc::give;

namespace {

// The maths of scaled_dot_product_attention, used on libtorch 1.13 (which has no
// public SDPA) and to return the attention map itself.
at::Tensor attention_probs(const at::Tensor& q, const at::Tensor& k, const at::Tensor& mask, bool is_causal,
                           double scale) {
  auto scores = at::matmul(q, k.transpose(-2, -1)) * scale;
  if (is_causal) {
    const auto l = q.size(-2), s = k.size(-2);
    auto keep = at::ones({l, s}, q.options().dtype(at::kBool)).tril();
    scores = scores.masked_fill(keep.logical_not(), -std::numeric_limits<double>::infinity());
  }
  if (mask.defined()) {
    if (mask.scalar_type() == at::kBool) {
      scores = scores.masked_fill(mask.logical_not(), -std::numeric_limits<double>::infinity());
    } else {
      scores = scores + mask;
    }
  }
  return at::softmax(scores, -1);
}

double default_scale(const at::Tensor& q, double scale) {
  return scale > 0 ? scale : 1.0 / std::sqrt(static_cast<double>(q.size(-1)));
}

at::Reduction::Reduction reduction(int r) {
  switch (r) {
    case MLC_REDUCE_NONE: return at::Reduction::None;
    case MLC_REDUCE_MEAN: return at::Reduction::Mean;
    case MLC_REDUCE_SUM: return at::Reduction::Sum;
  }
  TORCH_CHECK(false, "unknown reduction code ", r, " (0 none, 1 mean, 2 sum)");
}

}  // namespace

MLC_API mlc_tensor mlc_linear(mlc_tensor x, mlc_tensor w, mlc_tensor b) {
  MLC_GUARD(nullptr, return give(at::linear(borrow(x), borrow(w), borrow_opt(b)));)
}
MLC_API mlc_tensor mlc_conv2d(mlc_tensor x, mlc_tensor w, mlc_tensor b, int64_t sh, int64_t sw, int64_t ph,
                              int64_t pw, int64_t dh, int64_t dw, int64_t groups) {
  MLC_GUARD(nullptr, return give(at::conv2d(borrow(x), borrow(w), borrow_opt(b), {sh, sw}, {ph, pw}, {dh, dw}, groups));)
}
MLC_API mlc_tensor mlc_layer_norm(mlc_tensor x, const int64_t* shape, int64_t ndim, mlc_tensor w, mlc_tensor b,
                                  double eps) {
  MLC_GUARD(nullptr, return give(at::layer_norm(borrow(x), mlc::dims(shape, ndim), borrow_opt(w), borrow_opt(b), eps));)
}
MLC_API mlc_tensor mlc_softmax(mlc_tensor x, int64_t dim) { MLC_GUARD(nullptr, return give(at::softmax(borrow(x), dim));) }
MLC_API mlc_tensor mlc_log_softmax(mlc_tensor x, int64_t dim) { MLC_GUARD(nullptr, return give(at::log_softmax(borrow(x), dim));) }
MLC_API mlc_tensor mlc_dropout(mlc_tensor x, double p, int train) { MLC_GUARD(nullptr, return give(at::dropout(borrow(x), p, train != 0));) }
MLC_API mlc_tensor mlc_embedding(mlc_tensor w, mlc_tensor idx) { MLC_GUARD(nullptr, return give(at::embedding(borrow(w), borrow(idx)));) }
MLC_API mlc_tensor mlc_upsample_bicubic2d(mlc_tensor x, int64_t out_h, int64_t out_w, int align_corners) {
  MLC_GUARD(nullptr, return give(at::upsample_bicubic2d(borrow(x), {out_h, out_w}, align_corners != 0));)
}

MLC_API mlc_tensor mlc_sdpa(mlc_tensor hq, mlc_tensor hk, mlc_tensor hv, mlc_tensor hmask, double dropout_p,
                            int is_causal, double scale) {
  MLC_GUARD(nullptr, {
    auto q = borrow(hq), k = borrow(hk), v = borrow(hv), mask = borrow(hmask);
    const double s = default_scale(q, scale);
#if MLC_TORCH2 && (TORCH_VERSION_MAJOR > 2 || TORCH_VERSION_MINOR >= 1)
    c10::optional<at::Tensor> m;
    if (mask.defined()) m = mask;
    return give(at::scaled_dot_product_attention(q, k, v, m, dropout_p, is_causal != 0, s));
#else
    auto p = attention_probs(q, k, mask, is_causal != 0, s);
    if (dropout_p > 0) p = at::dropout(p, dropout_p, true);
    return give(at::matmul(p, v));
#endif
  })
}

MLC_API mlc_tensor mlc_attention_weights(mlc_tensor q, mlc_tensor k, mlc_tensor mask, double scale) {
  MLC_GUARD(nullptr, {
    auto tq = borrow(q);
    return give(attention_probs(tq, borrow(k), borrow(mask), false, default_scale(tq, scale)));
  })
}

MLC_API mlc_tensor mlc_cross_entropy(mlc_tensor logits, mlc_tensor target, int r, double smoothing) {
  MLC_GUARD(nullptr, {
    return give(at::cross_entropy_loss(borrow(logits), borrow(target), c10::nullopt, reduction(r), -100, smoothing));
  })
}
MLC_API mlc_tensor mlc_smooth_l1(mlc_tensor input, mlc_tensor target, int r, double beta) {
  MLC_GUARD(nullptr, return give(at::smooth_l1_loss(borrow(input), borrow(target), reduction(r), beta));)
}
MLC_API mlc_tensor mlc_mse(mlc_tensor input, mlc_tensor target, int r) {
  MLC_GUARD(nullptr, return give(at::mse_loss(borrow(input), borrow(target), reduction(r)));)
}
MLC_API mlc_tensor mlc_cosine_similarity(mlc_tensor a, mlc_tensor b, int64_t dim, double eps) {
  MLC_GUARD(nullptr, return give(at::cosine_similarity(borrow(a), borrow(b), dim, eps));)
}
MLC_API mlc_tensor mlc_normalize(mlc_tensor hx, double p, int64_t dim, double eps) {
  MLC_GUARD(nullptr, {
    // F.normalize: x / max(||x||_p, eps).
    auto x = borrow(hx);
    return give(x / at::norm(x, p, {dim}, true).clamp_min(eps).expand_as(x));
  })
}
