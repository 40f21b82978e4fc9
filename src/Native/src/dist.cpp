#include "common.h"
#include "mlc_dist.h"

#include <chrono>
#include <map>
#include <memory>

// The c10d headers ship with libtorch; gloo's own headers (Debian: libgloo-dev) are
// needed to compile against ProcessGroupGloo. Without either the functions still exist
// and fail with a message, so the rest of the library builds everywhere.
#if defined(MLC_WITH_GLOO)
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include "dist_group.h"
#endif
#if defined(MLC_WITH_GLOO) && defined(MLC_WITH_NCCL)
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#if defined(MLC_WITH_GLOO)
namespace {

using mlc::dist::Group;
using mlc::dist::handle;
using mlc::dist::millis;
using mlc::dist::ProcessGroupHandle;
using mlc::dist::wait;

// Packs same-dtype tensors into flat buckets of at most `bucket_bytes` (a tensor larger
// than that gets a bucket of its own), runs `op` on every bucket with all of them in
// flight, then copies the results back. One launch per bucket instead of per tensor is
// what makes a few-hundred-parameter model cheap to synchronise.
template <typename Launch>
void bucketed(const std::vector<at::Tensor>& tensors, int64_t bucket_bytes, const char* what, int64_t timeout_ms,
              double scale, Launch launch) {
  TORCH_CHECK(bucket_bytes > 0, "bucket size must be > 0 bytes, got ", bucket_bytes);
  std::map<std::pair<int, int>, std::vector<std::vector<size_t>>> groups;  // (dtype, device) -> buckets of indices
  std::map<std::pair<int, int>, int64_t> filled;
  for (size_t i = 0; i < tensors.size(); ++i) {
    const auto& t = tensors[i];
    TORCH_CHECK(t.defined(), "distributed ", what, ": tensor ", i, " is undefined");
    auto key = std::make_pair(static_cast<int>(t.scalar_type()), static_cast<int>(t.device().type()));
    auto& buckets = groups[key];
    int64_t bytes = t.numel() * static_cast<int64_t>(t.element_size());
    if (buckets.empty() || filled[key] + bytes > bucket_bytes) {
      buckets.emplace_back();
      filled[key] = 0;
    }
    buckets.back().push_back(i);
    filled[key] += bytes;
  }
  std::vector<std::pair<at::Tensor, const std::vector<size_t>*>> flats;
  std::vector<c10::intrusive_ptr<c10d::Work>> works;
  for (auto& [key, buckets] : groups) {
    for (auto& bucket : buckets) {
      std::vector<at::Tensor> parts;
      for (auto i : bucket) parts.push_back(tensors[i].detach().reshape({-1}));
      auto flat = at::cat(parts);
      flats.emplace_back(flat, &bucket);
      works.push_back(launch(flat));
    }
  }
  for (auto& w : works) wait(w, what, timeout_ms);
  at::NoGradGuard no_grad;
  for (auto& [flat, bucket] : flats) {
    if (scale != 1.0) flat.mul_(scale);
    int64_t offset = 0;
    for (auto i : *bucket) {
      auto& t = tensors[i];
      t.detach().copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
}

at::Tensor gather(ProcessGroupHandle* h, const at::Tensor& input, int64_t timeout_ms) {
  auto local = input.detach().contiguous();
  std::vector<std::vector<at::Tensor>> outputs(1);
  for (int r = 0; r < h->size; ++r) outputs[0].push_back(at::empty_like(local));
  std::vector<at::Tensor> inputs{local};
  wait(h->group->allgather(outputs, inputs, c10d::AllgatherOptions()), "all-gather", timeout_ms);
  return at::cat(outputs[0], 0);
}

// Forward: all ranks' rows. Backward: every rank computes a loss over all rows, so the
// gradient for this rank's rows is the sum of each rank's gradient for them.
struct GatherWithGrad : public torch::autograd::Function<GatherWithGrad> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& input, int64_t group, int64_t timeout_ms) {
    auto* h = reinterpret_cast<ProcessGroupHandle*>(group);
    ctx->saved_data["group"] = group;
    ctx->saved_data["timeout"] = timeout_ms;
    ctx->saved_data["rows"] = input.size(0);
    return gather(h, input, timeout_ms);
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    auto* h = reinterpret_cast<ProcessGroupHandle*>(ctx->saved_data["group"].toInt());
    auto timeout_ms = ctx->saved_data["timeout"].toInt();
    auto rows = ctx->saved_data["rows"].toInt();
    auto grad = grads[0].contiguous().clone();
    std::vector<at::Tensor> list{grad};
    wait(h->group->allreduce(list, c10d::AllreduceOptions()), "all-gather backward (all-reduce)", timeout_ms);
    return {grad.narrow(0, h->rank * rows, rows), at::Tensor(), at::Tensor()};
  }
};

c10d::ReduceOp reduce_op(int op) {
  switch (op) {
    case 0: return c10d::ReduceOp::SUM;
    case 1: return c10d::ReduceOp::MAX;
    case 2: return c10d::ReduceOp::MIN;
    case 3: return c10d::ReduceOp::PRODUCT;
    default: TORCH_CHECK(false, "reduce op must be 0 (sum), 1 (max), 2 (min) or 3 (product), got ", op);
  }
}

}  // namespace
#endif

MLC_API int mlc_dist_has_gloo(void) {
#if defined(MLC_WITH_GLOO)
  return 1;
#else
  return 0;
#endif
}

MLC_API int mlc_dist_has_nccl(void) {
#if defined(MLC_WITH_GLOO) && defined(MLC_WITH_NCCL)
  return 1;
#else
  return 0;
#endif
}

#if defined(MLC_WITH_GLOO)

MLC_API mlc_process_group mlc_dist_init(const char* host, int port, int rank, int world_size, int backend,
                                        const char* gloo_bind, int64_t timeout_ms) {
  MLC_GUARD(nullptr, {
    TORCH_CHECK(host != nullptr && *host != '\0', "MASTER_ADDR is empty");
    TORCH_CHECK(port > 0 && port < 65536, "MASTER_PORT must be in 1..65535, got ", port);
    TORCH_CHECK(world_size >= 1, "WORLD_SIZE must be >= 1, got ", world_size);
    TORCH_CHECK(rank >= 0 && rank < world_size, "RANK must be in 0..", world_size - 1, ", got ", rank);
    TORCH_CHECK(backend == 0 || backend == 1, "backend must be 0 (gloo) or 1 (nccl), got ", backend);
    auto timeout = millis(timeout_ms);
    auto h = std::make_unique<ProcessGroupHandle>();
    h->rank = rank;
    h->size = world_size;
    c10d::TCPStoreOptions opts;
    opts.port = static_cast<std::uint16_t>(port);
    opts.isServer = rank == 0;
    opts.numWorkers = static_cast<size_t>(world_size);
    opts.waitWorkers = true;
    opts.timeout = timeout;
    try {
      h->store = c10::make_intrusive<c10d::TCPStore>(std::string(host), opts);
    } catch (const std::exception& e) {
      TORCH_CHECK(false, "rendezvous at ", host, ":", port, " (rank ", rank, " of ", world_size,
                  ") failed within ", timeout_ms, " ms: ", e.what());
    }
    if (backend == 0) {
      auto options = c10d::ProcessGroupGloo::Options::create(timeout);
      std::string bind = gloo_bind == nullptr ? "" : gloo_bind;
      if (bind.rfind("if:", 0) == 0)
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(bind.substr(3)));
      else if (!bind.empty())
        options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(bind));
      else
        options->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      options->threads = 2;
      h->group = c10::make_intrusive<c10d::ProcessGroupGloo>(h->store, rank, world_size, options);
    } else {
#if defined(MLC_WITH_NCCL)
      auto options = c10d::ProcessGroupNCCL::Options::create();
      options->timeout = timeout;
      h->group = c10::make_intrusive<c10d::ProcessGroupNCCL>(h->store, rank, world_size, options);
#else
      TORCH_CHECK(false, "this build of libmlnetclip_native has no NCCL (its libtorch was built without it); use gloo");
#endif
    }
    return static_cast<mlc_process_group>(h.release());
  })
}

MLC_API void mlc_dist_free(mlc_process_group group, int abandon) {
  if (group == nullptr || abandon) return;
  try {
    delete static_cast<ProcessGroupHandle*>(group);
  } catch (...) {
  }
}

MLC_API int mlc_dist_rank(mlc_process_group group) { MLC_GUARD(-1, return handle(group)->rank;) }
MLC_API int mlc_dist_world_size(mlc_process_group group) { MLC_GUARD(-1, return handle(group)->size;) }

MLC_API int mlc_dist_all_reduce(mlc_process_group group, const mlc_tensor* tensors, int64_t n, int op, double scale,
                                int64_t bucket_bytes, int64_t timeout_ms) {
  MLC_GUARD(0, {
    auto* h = handle(group);
    auto reduce = reduce_op(op);
    millis(timeout_ms);
    bucketed(mlc::borrow_list(tensors, n), bucket_bytes, "all-reduce", timeout_ms, scale, [&](at::Tensor& flat) {
      std::vector<at::Tensor> list{flat};
      c10d::AllreduceOptions o;
      o.reduceOp = reduce;
      return h->group->allreduce(list, o);
    });
    return 1;
  })
}

MLC_API int mlc_dist_broadcast(mlc_process_group group, const mlc_tensor* tensors, int64_t n, int root,
                               int64_t bucket_bytes, int64_t timeout_ms) {
  MLC_GUARD(0, {
    auto* h = handle(group);
    TORCH_CHECK(root >= 0 && root < h->size, "broadcast root must be in 0..", h->size - 1, ", got ", root);
    millis(timeout_ms);
    bucketed(mlc::borrow_list(tensors, n), bucket_bytes, "broadcast", timeout_ms, 1.0, [&](at::Tensor& flat) {
      std::vector<at::Tensor> list{flat};
      c10d::BroadcastOptions o;
      o.rootRank = root;
      return h->group->broadcast(list, o);
    });
    return 1;
  })
}

MLC_API mlc_tensor mlc_dist_all_gather(mlc_process_group group, mlc_tensor input, int64_t timeout_ms) {
  MLC_GUARD(nullptr, {
    millis(timeout_ms);
    return mlc::give(gather(handle(group), mlc::borrow(input), timeout_ms));
  })
}

MLC_API mlc_tensor mlc_dist_all_gather_with_grad(mlc_process_group group, mlc_tensor input, int64_t timeout_ms) {
  MLC_GUARD(nullptr, {
    auto* h = handle(group);
    millis(timeout_ms);
    auto x = mlc::borrow(input);
    TORCH_CHECK(x.dim() >= 1, "all-gather needs a tensor with a batch dimension");
    return mlc::give(GatherWithGrad::apply(x, reinterpret_cast<int64_t>(h), timeout_ms));
  })
}

MLC_API int mlc_dist_barrier(mlc_process_group group, int64_t timeout_ms) {
  MLC_GUARD(0, {
    auto* h = handle(group);
    c10d::BarrierOptions o;
    o.timeout = millis(timeout_ms);
    wait(h->group->barrier(o), "barrier", timeout_ms);
    return 1;
  })
}

MLC_API int mlc_dist_store_set(mlc_process_group group, const char* key, const char* value) {
  MLC_GUARD(0, {
    TORCH_CHECK(key != nullptr && value != nullptr, "store key and value must not be null");
    std::string v(value);
    handle(group)->store->set(key, std::vector<uint8_t>(v.begin(), v.end()));
    return 1;
  })
}

MLC_API int mlc_dist_store_check(mlc_process_group group, const char* key) {
  MLC_GUARD(-1, {
    TORCH_CHECK(key != nullptr, "store key must not be null");
    return handle(group)->store->check({std::string(key)}) ? 1 : 0;
  })
}

#else  // no gloo headers at build time

namespace {
int unavailable() {
  mlc::set_error("this build of libmlnetclip_native has no process groups (gloo headers were missing when it was built; install libgloo-dev and rebuild with scripts/build-native.sh)");
  return 0;
}
}  // namespace

MLC_API mlc_process_group mlc_dist_init(const char*, int, int, int, int, const char*, int64_t) { unavailable(); return nullptr; }
MLC_API void mlc_dist_free(mlc_process_group, int) {}
MLC_API int mlc_dist_rank(mlc_process_group) { unavailable(); return -1; }
MLC_API int mlc_dist_world_size(mlc_process_group) { unavailable(); return -1; }
MLC_API int mlc_dist_all_reduce(mlc_process_group, const mlc_tensor*, int64_t, int, double, int64_t, int64_t) { return unavailable(); }
MLC_API int mlc_dist_broadcast(mlc_process_group, const mlc_tensor*, int64_t, int, int64_t, int64_t) { return unavailable(); }
MLC_API mlc_tensor mlc_dist_all_gather(mlc_process_group, mlc_tensor, int64_t) { unavailable(); return nullptr; }
MLC_API mlc_tensor mlc_dist_all_gather_with_grad(mlc_process_group, mlc_tensor, int64_t) { unavailable(); return nullptr; }
MLC_API int mlc_dist_barrier(mlc_process_group, int64_t) { return unavailable(); }
MLC_API int mlc_dist_store_set(mlc_process_group, const char*, const char*) { return unavailable(); }
MLC_API int mlc_dist_store_check(mlc_process_group, const char*) { unavailable(); return -1; }

#endif
