#include "common.h"
#include "mlc_optim.h"

#include <cmath>

using mlc::borrow;

MLC_API int mlc_adamw_step(const mlc_tensor* params, const mlc_tensor* exp_avg, const mlc_tensor* exp_avg_sq,
                           int64_t n, double lr, double beta1, double beta2, double eps, double weight_decay,
                           int64_t step) {
  MLC_GUARD(0, {
    TORCH_CHECK(step >= 1, "adamw: step must be >= 1, got ", step);
    at::NoGradGuard no_grad;
    const double bc1 = 1.0 - std::pow(beta1, static_cast<double>(step));
    const double bc2_sqrt = std::sqrt(1.0 - std::pow(beta2, static_cast<double>(step)));
    for (int64_t i = 0; i < n; ++i) {
      auto p = borrow(params[i]);
      const auto& g = p.grad();
      if (!g.defined()) continue;
      auto m = borrow(exp_avg[i]);
      auto v = borrow(exp_avg_sq[i]);
      // Module.To() may have cast or moved the parameter since the moments were made; the
      // moments follow it (in place, so the handles the C# side holds stay valid).
      if (m.scalar_type() != p.scalar_type() || m.device() != p.device()) {
        m.set_data(m.to(p.options()));
        v.set_data(v.to(p.options()));
      }
      if (weight_decay != 0) p.mul_(1.0 - lr * weight_decay);
      m.lerp_(g, 1.0 - beta1);
      v.mul_(beta2).addcmul_(g, g, 1.0 - beta2);
      auto denom = (v.sqrt() / bc2_sqrt).add_(eps);
      p.addcdiv_(m, denom, -lr / bc1);
    }
    return 1;
  })
}

MLC_API int mlc_clip_grad_norm(const mlc_tensor* params, int64_t n, double max_norm, double* total_norm) {
  MLC_GUARD(0, {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (int64_t i = 0; i < n; ++i) {
      auto g = borrow(params[i]).grad();
      if (g.defined()) grads.push_back(g);
    }
    if (grads.empty()) {
      *total_norm = 0;
      return 1;
    }
    std::vector<at::Tensor> norms;
    norms.reserve(grads.size());
    for (auto& g : grads) norms.push_back(g.detach().norm(2).to(at::kFloat));
    auto total = at::stack(norms).norm(2);
    // Multiplying by a clamped coefficient on the device avoids a host sync per
    // tensor; only the returned norm is read back.
    auto coef = (max_norm / (total + 1e-6)).clamp_max(1.0);
    for (auto& g : grads) g.mul_(coef.to(g.scalar_type()));
    *total_norm = total.item<double>();
    return 1;
  })
}

MLC_API int mlc_ema_update(const mlc_tensor* teacher, const mlc_tensor* student, int64_t n, double decay) {
  MLC_GUARD(0, {
    at::NoGradGuard no_grad;
    for (int64_t i = 0; i < n; ++i) {
      auto t = borrow(teacher[i]);
      auto s = borrow(student[i]);
      if (t.is_floating_point()) {
        t.lerp_(s.detach(), 1.0 - decay);
      } else {
        t.copy_(s);
      }
    }
    return 1;
  })
}

MLC_API int mlc_zero_grad(const mlc_tensor* params, int64_t n) {
  MLC_GUARD(0, {
    for (int64_t i = 0; i < n; ++i) borrow(params[i]).mutable_grad().reset();
    return 1;
  })
}
