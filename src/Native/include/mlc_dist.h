// Process groups (torch.distributed's c10d) for data-parallel training: a TCPStore
// rendezvous, then gloo (CPU tensors) or NCCL (CUDA tensors, only in builds whose
// libtorch has it). Every collective waits at most `timeout_ms` and then fails with
// a message, so a dead peer ends the caller instead of hanging it.
#pragma once
#include "mlc_common.h"

typedef void* mlc_process_group;

// 1 when this library was built with gloo / NCCL process groups.
MLC_API int mlc_dist_has_gloo(void);
MLC_API int mlc_dist_has_nccl(void);
// backend: 0 = gloo, 1 = NCCL. Rank 0 hosts the store at host:port; the others connect.
// gloo_bind: "" binds gloo to this machine's hostname, "if:NAME" to an interface, anything else to that address.
MLC_API mlc_process_group mlc_dist_init(const char* host, int port, int rank, int world_size, int backend, const char* gloo_bind, int64_t timeout_ms);
// After a failed collective the group's worker threads may still be blocked in a
// transfer; abandon=1 leaks the group instead of joining them (the process is ending).
MLC_API void mlc_dist_free(mlc_process_group group, int abandon);
MLC_API int mlc_dist_rank(mlc_process_group group);
MLC_API int mlc_dist_world_size(mlc_process_group group);
// In place on each tensor. op: 0 = sum, 1 = max, 2 = min, 3 = product. scale multiplies the result (1/W averages).
// Tensors of one dtype are packed into buckets of at most bucket_bytes, one collective each, all in flight at once.
MLC_API int mlc_dist_all_reduce(mlc_process_group group, const mlc_tensor* tensors, int64_t n, int op, double scale, int64_t bucket_bytes, int64_t timeout_ms);
// In place: every rank ends with root's values, packed into buckets as all_reduce.
MLC_API int mlc_dist_broadcast(mlc_process_group group, const mlc_tensor* tensors, int64_t n, int root, int64_t bucket_bytes, int64_t timeout_ms);
// Every rank's `input` (same shape on all ranks) concatenated along dim 0 in rank order; no autograd history.
MLC_API mlc_tensor mlc_dist_all_gather(mlc_process_group group, mlc_tensor input, int64_t timeout_ms);
// The same gather, differentiable: backward sums the incoming gradient over ranks and
// returns this rank's rows (torch.distributed.nn.all_gather). Every rank must run backward.
MLC_API mlc_tensor mlc_dist_all_gather_with_grad(mlc_process_group group, mlc_tensor input, int64_t timeout_ms);
MLC_API int mlc_dist_barrier(mlc_process_group group, int64_t timeout_ms);
// The rendezvous store (hosted by rank 0), for small notes between ranks such as who saw a failure.
MLC_API int mlc_dist_store_set(mlc_process_group group, const char* key, const char* value);
// 1 when the key is set, 0 when not (without waiting), -1 on error (the store is unreachable).
MLC_API int mlc_dist_store_check(mlc_process_group group, const char* key);

// Gradient all-reduce overlapped with backward (DDP's Reducer): hooks on each parameter's
// gradient accumulator launch a bucket's all-reduce as soon as all its gradients are final.
// Buckets hold at most bucket_bytes, filled from the last parameter backwards (the order
// backward produces them), and are launched in that order on every rank.
typedef void* mlc_grad_reducer;
// params: the trainable leaves, the same list in the same order on every rank. scale multiplies the sums (1/W).
MLC_API mlc_grad_reducer mlc_dist_reducer_new(mlc_process_group group, const mlc_tensor* params, int64_t n, double scale, int64_t bucket_bytes, int64_t timeout_ms);
MLC_API int mlc_dist_reducer_buckets(mlc_grad_reducer reducer);
// Call before the step's last backward: only an armed reducer's hooks launch anything.
MLC_API int mlc_dist_reducer_arm(mlc_grad_reducer reducer);
// After that backward: launches the buckets backward did not complete, waits for all, writes
// the scaled sums into the gradients. Returns the buckets launched during backward, or -1 on error.
MLC_API int64_t mlc_dist_reducer_finish(mlc_grad_reducer reducer);
MLC_API void mlc_dist_reducer_free(mlc_grad_reducer reducer);
