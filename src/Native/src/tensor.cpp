#include "common.h"
#include "mlc_tensor.h"

#include <cstring>

#if defined(MLC_WITH_CUDA) && __has_include(<ATen/cuda/CUDAGeneratorImpl.h>)
#include <ATen/cuda/CUDAGeneratorImpl.h>
#endif

using mlc::borrow;
using mlc::dims;
using mlc::give;

MLC_API void mlc_tensor_free(mlc_tensor t) {
  if (t == nullptr) return;
  mlc::live_tensors.fetch_sub(1, std::memory_order_relaxed);
  // Reclaiming the owned reference and letting it go out of scope drops it.
  auto owned = c10::intrusive_ptr<at::TensorImpl, c10::UndefinedTensorImpl>::reclaim(
      static_cast<at::TensorImpl*>(t));
}

MLC_API int64_t mlc_live_tensors(void) { return mlc::live_tensors.load(std::memory_order_relaxed); }

MLC_API mlc_tensor mlc_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int64_t ndim,
                                        int dtype) {
  MLC_GUARD(nullptr, {
    auto t = at::empty(dims(shape, ndim), at::TensorOptions().dtype(static_cast<at::ScalarType>(dtype)));
    const int64_t need = t.numel() * static_cast<int64_t>(t.element_size());
    TORCH_CHECK(need == nbytes, "from_data: shape ", t.sizes(), " of ", t.scalar_type(), " needs ", need,
                " bytes but ", nbytes, " were given");
    if (need > 0) std::memcpy(t.data_ptr(), data, static_cast<size_t>(need));
    return give(t);
  })
}

MLC_API int mlc_tensor_copy_to(mlc_tensor h, void* dst, int64_t nbytes) {
  MLC_GUARD(0, {
    auto t = borrow(h).detach().to(at::kCPU).contiguous();
    const int64_t have = t.numel() * static_cast<int64_t>(t.element_size());
    TORCH_CHECK(have == nbytes, "copy_to: tensor ", t.sizes(), " of ", t.scalar_type(), " has ", have,
                " bytes but the destination holds ", nbytes);
    if (have > 0) std::memcpy(dst, t.data_ptr(), static_cast<size_t>(have));
    return 1;
  })
}

MLC_API void* mlc_tensor_data_ptr(mlc_tensor h) {
  MLC_GUARD(nullptr, {
    auto t = borrow(h);
    TORCH_CHECK(t.device().is_cpu(), "data_ptr: tensor is on ", t.device(), ", not the cpu");
    TORCH_CHECK(t.is_contiguous(), "data_ptr: tensor is not contiguous");
    return t.data_ptr();
  })
}

MLC_API mlc_tensor mlc_empty(const int64_t* shape, int64_t ndim, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::empty(dims(shape, ndim), mlc::options(dtype, dt, di)));)
}
MLC_API mlc_tensor mlc_zeros(const int64_t* shape, int64_t ndim, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::zeros(dims(shape, ndim), mlc::options(dtype, dt, di)));)
}
MLC_API mlc_tensor mlc_ones(const int64_t* shape, int64_t ndim, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::ones(dims(shape, ndim), mlc::options(dtype, dt, di)));)
}
MLC_API mlc_tensor mlc_full(const int64_t* shape, int64_t ndim, double value, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::full(dims(shape, ndim), value, mlc::options(dtype, dt, di)));)
}
MLC_API mlc_tensor mlc_arange(double start, double end, double step, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::arange(start, end, step, mlc::options(dtype, dt, di)));)
}
MLC_API mlc_tensor mlc_randn(const int64_t* shape, int64_t ndim, mlc_generator g, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::randn(dims(shape, ndim), mlc::generator(g), mlc::options(dtype, dt, di)));)
}
MLC_API mlc_tensor mlc_rand(const int64_t* shape, int64_t ndim, mlc_generator g, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::rand(dims(shape, ndim), mlc::generator(g), mlc::options(dtype, dt, di)));)
}
MLC_API mlc_tensor mlc_randint(int64_t low, int64_t high, const int64_t* shape, int64_t ndim, mlc_generator g,
                               int dtype, int dt, int di) {
  MLC_GUARD(nullptr, {
    return give(at::randint(low, high, dims(shape, ndim), mlc::generator(g), mlc::options(dtype, dt, di)));
  })
}
MLC_API mlc_tensor mlc_randperm(int64_t n, mlc_generator g, int dtype, int dt, int di) {
  MLC_GUARD(nullptr, return give(at::randperm(n, mlc::generator(g), mlc::options(dtype, dt, di)));)
}

MLC_API int64_t mlc_tensor_dim(mlc_tensor t) { MLC_GUARD(-1, return borrow(t).dim();) }
MLC_API int mlc_tensor_shape(mlc_tensor h, int64_t* out, int64_t cap) {
  MLC_GUARD(0, {
    auto t = borrow(h);
    TORCH_CHECK(t.dim() <= cap, "shape: tensor has ", t.dim(), " dimensions, buffer holds ", cap);
    for (int64_t i = 0; i < t.dim(); ++i) out[i] = t.size(i);
    return 1;
  })
}
MLC_API int mlc_tensor_dtype(mlc_tensor t) { MLC_GUARD(-1, return static_cast<int>(borrow(t).scalar_type());) }
MLC_API int mlc_tensor_device_type(mlc_tensor t) {
  MLC_GUARD(-1, return static_cast<int>(borrow(t).device().type());)
}
MLC_API int mlc_tensor_device_index(mlc_tensor t) { MLC_GUARD(-2, return borrow(t).device().index();) }
MLC_API int64_t mlc_tensor_numel(mlc_tensor t) { MLC_GUARD(-1, return borrow(t).numel();) }
MLC_API int mlc_tensor_is_contiguous(mlc_tensor t) { MLC_GUARD(-1, return borrow(t).is_contiguous() ? 1 : 0;) }
MLC_API int mlc_tensor_item(mlc_tensor t, double* out) {
  MLC_GUARD(0, {
    *out = borrow(t).item<double>();
    return 1;
  })
}
MLC_API int mlc_tensor_item_int64(mlc_tensor t, int64_t* out) {
  MLC_GUARD(0, {
    *out = borrow(t).item<int64_t>();
    return 1;
  })
}

MLC_API mlc_tensor mlc_tensor_to(mlc_tensor t, int dtype, int dt, int di, int non_blocking, int copy) {
  MLC_GUARD(nullptr, {
    at::Device device(static_cast<at::DeviceType>(dt), static_cast<c10::DeviceIndex>(di));
    return give(borrow(t).to(device, static_cast<at::ScalarType>(dtype), non_blocking != 0, copy != 0));
  })
}
MLC_API mlc_tensor mlc_tensor_clone(mlc_tensor t) { MLC_GUARD(nullptr, return give(borrow(t).clone());) }
MLC_API mlc_tensor mlc_tensor_contiguous(mlc_tensor t) { MLC_GUARD(nullptr, return give(borrow(t).contiguous());) }
MLC_API int mlc_tensor_set_data(mlc_tensor t, mlc_tensor src) {
  MLC_GUARD(0, {
    borrow(t).set_data(borrow(src));
    return 1;
  })
}

MLC_API int mlc_tensor_normal_(mlc_tensor t, double mean, double std, mlc_generator g) {
  MLC_GUARD(0, {
    at::NoGradGuard no_grad;
    borrow(t).normal_(mean, std, mlc::generator(g));
    return 1;
  })
}
MLC_API int mlc_tensor_uniform_(mlc_tensor t, double low, double high, mlc_generator g) {
  MLC_GUARD(0, {
    at::NoGradGuard no_grad;
    borrow(t).uniform_(low, high, mlc::generator(g));
    return 1;
  })
}
MLC_API int mlc_tensor_trunc_normal_(mlc_tensor h, double mean, double std, double low, double high,
                                     mlc_generator g) {
  MLC_GUARD(0, {
    // Inverse-CDF sampling, as timm's trunc_normal_: uniform in [cdf(a), cdf(b)], then erfinv.
    at::NoGradGuard no_grad;
    auto t = borrow(h);
    auto cdf = [](double x) { return (1.0 + std::erf(x / std::sqrt(2.0))) / 2.0; };
    const double l = cdf((low - mean) / std), u = cdf((high - mean) / std);
    t.uniform_(2 * l - 1, 2 * u - 1, mlc::generator(g));
    t.erfinv_();
    t.mul_(std * std::sqrt(2.0));
    t.add_(mean);
    t.clamp_(low, high);
    return 1;
  })
}

MLC_API mlc_generator mlc_generator_new(uint64_t seed, int dt, int di) {
  MLC_GUARD(nullptr, {
    at::Generator g;
    if (static_cast<at::DeviceType>(dt) == at::kCPU) {
      g = at::detail::createCPUGenerator(seed);
    } else {
#if defined(MLC_WITH_CUDA) && __has_include(<ATen/cuda/CUDAGeneratorImpl.h>)
      TORCH_CHECK(static_cast<at::DeviceType>(dt) == at::kCUDA, "generators exist for cpu and cuda, not device type ", dt);
      g = at::cuda::detail::createCUDAGenerator(static_cast<c10::DeviceIndex>(di));
      g.set_current_seed(seed);
#else
      TORCH_CHECK(false, "this build of libmlnetclip_native has no CUDA support; generators exist only for cpu");
#endif
    }
    return new at::Generator(std::move(g));
  })
}
MLC_API void mlc_generator_free(mlc_generator g) { delete static_cast<at::Generator*>(g); }
MLC_API int mlc_generator_set_state(mlc_generator g, mlc_tensor state) {
  MLC_GUARD(0, {
    static_cast<at::Generator*>(g)->set_state(borrow(state));
    return 1;
  })
}
MLC_API mlc_tensor mlc_generator_get_state(mlc_generator g) {
  MLC_GUARD(nullptr, return give(static_cast<at::Generator*>(g)->get_state());)
}
MLC_API int mlc_manual_seed(uint64_t seed) {
  MLC_GUARD(0, {
    torch::manual_seed(seed);
    return 1;
  })
}
