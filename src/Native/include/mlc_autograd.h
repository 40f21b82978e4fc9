// Autograd: gradients, history, and the thread-local grad mode.
#pragma once
#include "mlc_common.h"

MLC_API int mlc_requires_grad(mlc_tensor t);
MLC_API int mlc_set_requires_grad(mlc_tensor t, int requires_grad);
// Returns NULL with no error set when the tensor has no gradient yet.
MLC_API mlc_tensor mlc_grad(mlc_tensor t);
MLC_API int mlc_set_grad(mlc_tensor t, mlc_tensor grad);
MLC_API int mlc_backward(mlc_tensor t, mlc_tensor grad, int retain_graph);
MLC_API mlc_tensor mlc_detach(mlc_tensor t);
MLC_API int mlc_is_leaf(mlc_tensor t);
// Returns the previous mode (0/1), so scopes can restore it.
MLC_API int mlc_set_grad_enabled(int enabled);
MLC_API int mlc_is_grad_enabled(void);
// Runs backward of sum(outputs[i] * grads[i]) and returns d/d inputs without touching
// .grad of anything (torch.autograd.grad). Missing gradients come back as NULL.
MLC_API int mlc_autograd_grad(const mlc_tensor* outputs, const mlc_tensor* grads, int64_t n_out,
                              const mlc_tensor* inputs, int64_t n_in, mlc_tensor* result, int create_graph);
