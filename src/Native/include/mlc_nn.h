// Neural-network functionals and losses. Optional tensors are passed as NULL.
#pragma once
#include "mlc_common.h"

enum mlc_reduction { MLC_REDUCE_NONE = 0, MLC_REDUCE_MEAN = 1, MLC_REDUCE_SUM = 2 };

MLC_API mlc_tensor mlc_linear(mlc_tensor x, mlc_tensor weight, mlc_tensor bias);
MLC_API mlc_tensor mlc_conv2d(mlc_tensor x, mlc_tensor weight, mlc_tensor bias, int64_t stride_h, int64_t stride_w,
                              int64_t pad_h, int64_t pad_w, int64_t dil_h, int64_t dil_w, int64_t groups);
MLC_API mlc_tensor mlc_layer_norm(mlc_tensor x, const int64_t* normalized_shape, int64_t ndim, mlc_tensor weight,
                                  mlc_tensor bias, double eps);
MLC_API mlc_tensor mlc_softmax(mlc_tensor x, int64_t dim);
MLC_API mlc_tensor mlc_log_softmax(mlc_tensor x, int64_t dim);
MLC_API mlc_tensor mlc_dropout(mlc_tensor x, double p, int train);
MLC_API mlc_tensor mlc_embedding(mlc_tensor weight, mlc_tensor indices);
// Bicubic resize of [N, C, H, W] to [N, C, out_h, out_w] (position-embedding grids; align_corners as in F.interpolate).
MLC_API mlc_tensor mlc_upsample_bicubic2d(mlc_tensor x, int64_t out_h, int64_t out_w, int align_corners);
// q, k, v: [..., L, E]. mask: bool (true = attend) or float (added to the scores),
// broadcastable to [..., L, S]. scale <= 0 means 1/sqrt(E). On libtorch 2.x this is
// at::scaled_dot_product_attention; on 1.13 the same maths is spelled out.
MLC_API mlc_tensor mlc_sdpa(mlc_tensor q, mlc_tensor k, mlc_tensor v, mlc_tensor mask, double dropout_p,
                            int is_causal, double scale);
// The attention probabilities softmax(q kᵀ · scale + mask), [..., L, S], for attention maps.
MLC_API mlc_tensor mlc_attention_weights(mlc_tensor q, mlc_tensor k, mlc_tensor mask, double scale);

MLC_API mlc_tensor mlc_cross_entropy(mlc_tensor logits, mlc_tensor target, int reduction, double label_smoothing);
MLC_API mlc_tensor mlc_smooth_l1(mlc_tensor input, mlc_tensor target, int reduction, double beta);
MLC_API mlc_tensor mlc_mse(mlc_tensor input, mlc_tensor target, int reduction);
MLC_API mlc_tensor mlc_cosine_similarity(mlc_tensor a, mlc_tensor b, int64_t dim, double eps);
MLC_API mlc_tensor mlc_normalize(mlc_tensor x, double p, int64_t dim, double eps);
