// Optimiser kernels that touch many tensors in one call, so a step over a model's
// hundreds of parameters costs one transition instead of thousands.
#pragma once
#include "mlc_common.h"

// Decoupled-weight-decay Adam (Loshchilov & Hutter), matching torch.optim.AdamW without
// amsgrad. `step` is the 1-based count after this update. Parameters whose gradient is
// undefined are skipped, as PyTorch does.
MLC_API int mlc_adamw_step(const mlc_tensor* params, const mlc_tensor* exp_avg, const mlc_tensor* exp_avg_sq,
                           int64_t n, double lr, double beta1, double beta2, double eps, double weight_decay,
                           int64_t step);
// Scales every gradient so their joint 2-norm is at most max_norm. Writes the norm
// before clipping to *total_norm.
MLC_API int mlc_clip_grad_norm(const mlc_tensor* params, int64_t n, double max_norm, double* total_norm);
// teacher[i] <- teacher[i] + (1 - decay) * (student[i] - teacher[i]), without history.
MLC_API int mlc_ema_update(const mlc_tensor* teacher, const mlc_tensor* student, int64_t n, double decay);
// Sets every listed gradient to undefined (set_to_none semantics).
MLC_API int mlc_zero_grad(const mlc_tensor* params, int64_t n);
