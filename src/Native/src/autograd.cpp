#include "common.h"
#include "mlc_autograd.h"

#include <torch/csrc/autograd/autograd.h>

using mlc::borrow;
using mlc::give;

MLC_API int mlc_requires_grad(mlc_tensor t) { MLC_GUARD(-1, return borrow(t).requires_grad() ? 1 : 0;) }
MLC_API int mlc_set_requires_grad(mlc_tensor t, int rg) {
  MLC_GUARD(0, {
    borrow(t).set_requires_grad(rg != 0);
    return 1;
  })
}
MLC_API mlc_tensor mlc_grad(mlc_tensor t) { MLC_GUARD(nullptr, return give(borrow(t).grad());) }
MLC_API int mlc_set_grad(mlc_tensor t, mlc_tensor g) {
  MLC_GUARD(0, {
    borrow(t).mutable_grad() = borrow(g);
    return 1;
  })
}
MLC_API int mlc_backward(mlc_tensor t, mlc_tensor g, int retain_graph) {
  MLC_GUARD(0, {
    auto grad = borrow(g);
    borrow(t).backward(grad, retain_graph != 0 ? c10::optional<bool>(true) : c10::nullopt);
    return 1;
  })
}
MLC_API mlc_tensor mlc_detach(mlc_tensor t) { MLC_GUARD(nullptr, return give(borrow(t).detach());) }
MLC_API int mlc_is_leaf(mlc_tensor t) { MLC_GUARD(-1, return borrow(t).is_leaf() ? 1 : 0;) }
MLC_API int mlc_set_grad_enabled(int enabled) {
  const bool previous = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(enabled != 0);
  return previous ? 1 : 0;
}
MLC_API int mlc_is_grad_enabled(void) { return c10::GradMode::is_enabled() ? 1 : 0; }

MLC_API int mlc_autograd_grad(const mlc_tensor* outputs, const mlc_tensor* grads, int64_t n_out,
                              const mlc_tensor* inputs, int64_t n_in, mlc_tensor* result, int create_graph) {
  MLC_GUARD(0, {
    auto outs = mlc::borrow_list(outputs, n_out);
    std::vector<at::Tensor> gs;
    if (grads != nullptr) gs = mlc::borrow_list(grads, n_out);
    auto ins = mlc::borrow_list(inputs, n_in);
    auto r = torch::autograd::grad(outs, ins, gs, c10::nullopt, create_graph != 0, /*allow_unused=*/true);
    for (int64_t i = 0; i < n_in; ++i) result[i] = give(r[static_cast<size_t>(i)]);
    return 1;
  })
}
