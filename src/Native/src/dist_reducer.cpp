#include "common.h"
#include "mlc_dist.h"

#include <memory>
#include <mutex>
#include <vector>

#if defined(MLC_WITH_GLOO)
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
#include "dist_group.h"

namespace {

using mlc::dist::ProcessGroupHandle;

// Gradient all-reduce overlapped with backward, as DDP's Reducer does it: a post-hook on each
// parameter's AccumulateGrad node marks the parameter ready once its .grad holds this step's
// sum; a bucket whose parameters are all ready is flattened and launched at once, while the
// engine goes on computing the gradients of earlier layers. Buckets are launched strictly in
// index order on every rank (a bucket that fills early waits for the ones before it), so the
// ranks issue the same collectives in the same order whatever order the hooks fire in.
struct Reducer {
  struct Bucket {
    std::vector<size_t> params;
    size_t pending = 0;
    at::Tensor flat;
    std::vector<size_t> packed;  // the parameters that had a gradient when it was launched
    c10::intrusive_ptr<c10d::Work> work;
  };

  ProcessGroupHandle* group = nullptr;
  std::vector<at::Tensor> params;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;  // kept alive, or the hooks go with them
  std::vector<uintptr_t> hook_keys;
  std::vector<size_t> bucket_of;
  std::vector<Bucket> buckets;
  std::vector<bool> ready;
  double scale = 1.0;
  int64_t timeout_ms = 0;
  std::mutex mutex;
  bool armed = false;
  size_t next_launch = 0;
  int64_t launched_in_backward = 0;

  void launch(Bucket& b) {
    std::vector<at::Tensor> parts;
    b.packed.clear();
    for (auto i : b.params) {
      const auto& g = params[i].grad();
      if (!g.defined()) continue;
      parts.push_back(g.detach().reshape({-1}));
      b.packed.push_back(i);
    }
    if (parts.empty()) return;
    b.flat = at::cat(parts);
    std::vector<at::Tensor> list{b.flat};
    b.work = group->group->allreduce(list, c10d::AllreduceOptions());
  }

  // Called from the autograd engine's thread; the lock also covers Finish racing a CUDA device thread.
  void on_ready(size_t i) {
    std::lock_guard<std::mutex> lock(mutex);
    if (!armed || ready[i]) return;
    ready[i] = true;
    auto& b = buckets[bucket_of[i]];
    if (--b.pending > 0) return;
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      launch(buckets[next_launch++]);
      ++launched_in_backward;
    }
  }

  void arm() {
    std::lock_guard<std::mutex> lock(mutex);
    armed = true;
    next_launch = 0;
    launched_in_backward = 0;
    std::fill(ready.begin(), ready.end(), false);
    for (auto& b : buckets) {
      b.pending = b.params.size();
      b.work.reset();
      b.flat = at::Tensor();
    }
  }

  // Launches what backward left (buckets holding a parameter without a gradient, which never
  // fills), waits for every bucket and writes the scaled sums back into the gradients.
  int64_t finish() {
    std::unique_lock<std::mutex> lock(mutex);
    TORCH_CHECK(armed, "gradient reducer: finish without arm");
    armed = false;
    while (next_launch < buckets.size()) launch(buckets[next_launch++]);
    lock.unlock();
    at::NoGradGuard no_grad;
    for (auto& b : buckets) {
      if (!b.work) continue;
      mlc::dist::wait(b.work, "gradient all-reduce", timeout_ms);
      if (scale != 1.0) b.flat.mul_(scale);
      int64_t offset = 0;
      for (auto i : b.packed) {
        auto g = params[i].mutable_grad();
        g.copy_(b.flat.narrow(0, offset, g.numel()).view(g.sizes()));
        offset += g.numel();
      }
      b.work.reset();
      b.flat = at::Tensor();
    }
    return launched_in_backward;
  }
};

struct ReadyHook : torch::autograd::FunctionPostHook {
  ReadyHook(Reducer* reducer, size_t index) : reducer(reducer), index(index) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list& /*inputs*/) override {
    reducer->on_ready(index);
    return outputs;
  }
  Reducer* reducer;
  size_t index;
};

Reducer* reducer(mlc_grad_reducer r) {
  TORCH_CHECK(r != nullptr, "gradient reducer is null (already disposed?)");
  return static_cast<Reducer*>(r);
}

}  // namespace

MLC_API mlc_grad_reducer mlc_dist_reducer_new(mlc_process_group group, const mlc_tensor* params, int64_t n, double scale,
                                              int64_t bucket_bytes, int64_t timeout_ms) {
  MLC_GUARD(nullptr, {
    TORCH_CHECK(bucket_bytes > 0, "bucket size must be > 0 bytes, got ", bucket_bytes);
    mlc::dist::millis(timeout_ms);
    auto r = std::make_unique<Reducer>();
    r->group = mlc::dist::handle(group);
    r->params = mlc::borrow_list(params, n);
    r->scale = scale;
    r->timeout_ms = timeout_ms;
    r->ready.assign(r->params.size(), false);
    r->bucket_of.assign(r->params.size(), 0);
    // Backward produces the last layers' gradients first, so buckets are filled from the end of
    // the parameter list, as DDP does; one dtype and device per bucket.
    int64_t filled = 0;
    for (size_t k = r->params.size(); k-- > 0;) {
      const auto& p = r->params[k];
      TORCH_CHECK(p.defined() && p.requires_grad() && p.is_leaf(), "gradient reducer: parameter ", k, " is not a leaf that requires grad");
      int64_t bytes = p.numel() * static_cast<int64_t>(p.element_size());
      bool fresh = r->buckets.empty() || filled + bytes > bucket_bytes;
      if (!fresh) {
        const auto& first = r->params[r->buckets.back().params.front()];
        fresh = first.scalar_type() != p.scalar_type() || first.device() != p.device();
      }
      if (fresh) {
        r->buckets.emplace_back();
        filled = 0;
      }
      r->buckets.back().params.push_back(k);
      r->bucket_of[k] = r->buckets.size() - 1;
      filled += bytes;
    }
    for (size_t k = 0; k < r->params.size(); ++k) {
      auto accumulator = torch::autograd::impl::grad_accumulator(r->params[k]);
      r->hook_keys.push_back(accumulator->add_post_hook(std::make_unique<ReadyHook>(r.get(), k)));
      r->accumulators.push_back(std::move(accumulator));
    }
    return static_cast<mlc_grad_reducer>(r.release());
  })
}

MLC_API int mlc_dist_reducer_buckets(mlc_grad_reducer r) { MLC_GUARD(-1, return static_cast<int>(reducer(r)->buckets.size());) }

MLC_API int mlc_dist_reducer_arm(mlc_grad_reducer r) {
  MLC_GUARD(0, {
    reducer(r)->arm();
    return 1;
  })
}

MLC_API int64_t mlc_dist_reducer_finish(mlc_grad_reducer r) { MLC_GUARD(-1, return reducer(r)->finish();) }

MLC_API void mlc_dist_reducer_free(mlc_grad_reducer r) {
  if (r == nullptr) return;
  try {
    auto* x = static_cast<Reducer*>(r);
    for (size_t k = 0; k < x->accumulators.size(); ++k) x->accumulators[k]->del_post_hook(x->hook_keys[k]);
    delete x;
  } catch (...) {
  }
}

#else  // no gloo headers at build time

MLC_API mlc_grad_reducer mlc_dist_reducer_new(mlc_process_group, const mlc_tensor*, int64_t, double, int64_t, int64_t) {
  mlc::set_error("this build of libmlnetclip_native has no process groups (gloo headers were missing when it was built)");
  return nullptr;
}
MLC_API int mlc_dist_reducer_buckets(mlc_grad_reducer) { return -1; }
MLC_API int mlc_dist_reducer_arm(mlc_grad_reducer) { return 0; }
MLC_API int64_t mlc_dist_reducer_finish(mlc_grad_reducer) { return -1; }
MLC_API void mlc_dist_reducer_free(mlc_grad_reducer) {}

#endif
