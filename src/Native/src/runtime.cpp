#include "common.h"
#include "mlc_runtime.h"

#include <ATen/autocast_mode.h>
#include <ATen/Parallel.h>
#include <c10/util/Logging.h>

#if defined(MLC_WITH_CUDA) && __has_include(<c10/cuda/CUDACachingAllocator.h>)
#include <c10/cuda/CUDACachingAllocator.h>
#define MLC_CUDA_STATS 1
#else
#define MLC_CUDA_STATS 0
#endif

// The per-device autocast API replaced the CPU/GPU pairs in libtorch 2.4.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define MLC_AUTOCAST_PER_DEVICE 1
#else
#define MLC_AUTOCAST_PER_DEVICE 0
#endif

namespace {

// Every c10::Error captures and symbolises a C++ backtrace when built: 10-20 ms per failed
// call here. The C# side only ever shows what_without_backtrace(), so the trace is skipped;
// a bad call then costs about as much as a good one. Runs once, when the library is loaded.
const bool backtraces_skipped = [] {
  c10::SetStackTraceFetcher(std::function<std::string()>([] { return std::string(); }));
  return true;
}();

}  // namespace

MLC_API int mlc_get_num_threads(void) { return at::get_num_threads(); }
MLC_API int mlc_set_num_threads(int n) {
  MLC_GUARD(0, {
    TORCH_CHECK(n >= 1, "thread count must be >= 1, got ", n);
    at::set_num_threads(n);
    return 1;
  })
}
MLC_API const char* mlc_torch_version(void) { return TORCH_VERSION; }
MLC_API const char* mlc_torch_config(void) {
  static const std::string config = at::show_config();
  return config.c_str();
}
MLC_API int mlc_built_with_cuda(void) { return MLC_CUDA_STATS; }

MLC_API int mlc_cuda_is_available(void) { MLC_GUARD(0, return torch::cuda::is_available() ? 1 : 0;) }
MLC_API int mlc_cuda_device_count(void) { MLC_GUARD(0, return static_cast<int>(torch::cuda::device_count());) }
MLC_API int mlc_cuda_synchronize(int device_index) {
  MLC_GUARD(0, {
    torch::cuda::synchronize(device_index);
    return 1;
  })
}
MLC_API int64_t mlc_cuda_peak_memory(int device_index) {
#if MLC_CUDA_STATS
  MLC_GUARD(-1, {
    // Index 0 is StatType::AGGREGATE in every libtorch version we build against.
    auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(static_cast<c10::DeviceIndex>(device_index));
    return static_cast<int64_t>(stats.allocated_bytes[0].peak);
  })
#else
  return -1;
#endif
}
MLC_API int mlc_cuda_reset_peak_memory(int device_index) {
#if MLC_CUDA_STATS
  MLC_GUARD(0, {
    c10::cuda::CUDACachingAllocator::resetPeakStats(static_cast<c10::DeviceIndex>(device_index));
    return 1;
  })
#else
  return 1;
#endif
}

namespace {

bool autocast_enabled(at::DeviceType d) {
#if MLC_AUTOCAST_PER_DEVICE
  return at::autocast::is_autocast_enabled(d);
#else
  return d == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}
at::ScalarType autocast_dtype(at::DeviceType d) {
#if MLC_AUTOCAST_PER_DEVICE
  return at::autocast::get_autocast_dtype(d);
#else
  return d == at::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}
// The dtype goes first: libtorch rejects some (1.13's CPU autocast takes only bf16), and a
// rejected dtype must leave autocast as it was rather than switched on.
void set_autocast(at::DeviceType d, bool enabled, at::ScalarType dtype) {
#if MLC_AUTOCAST_PER_DEVICE
  at::autocast::set_autocast_dtype(d, dtype);
  at::autocast::set_autocast_enabled(d, enabled);
#else
  if (d == at::kCUDA) {
    at::autocast::set_autocast_gpu_dtype(dtype);
    at::autocast::set_enabled(enabled);
  } else {
    at::autocast::set_autocast_cpu_dtype(dtype);
    at::autocast::set_cpu_enabled(enabled);
  }
#endif
}
at::DeviceType autocast_device(int device_type) {
  auto d = static_cast<at::DeviceType>(device_type);
  TORCH_CHECK(d == at::kCPU || d == at::kCUDA, "autocast supports cpu and cuda, not device type ", device_type);
  return d;
}

}  // namespace

MLC_API int mlc_autocast_enter(int device_type, int dtype, int* prev_enabled, int* prev_dtype) {
  MLC_GUARD(0, {
    auto d = autocast_device(device_type);
    *prev_enabled = autocast_enabled(d) ? 1 : 0;
    *prev_dtype = static_cast<int>(autocast_dtype(d));
    set_autocast(d, true, static_cast<at::ScalarType>(dtype));
    at::autocast::increment_nesting();
    return 1;
  })
}
MLC_API int mlc_autocast_exit(int device_type, int prev_enabled, int prev_dtype) {
  MLC_GUARD(0, {
    auto d = autocast_device(device_type);
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    set_autocast(d, prev_enabled != 0, static_cast<at::ScalarType>(prev_dtype));
    return 1;
  })
}
