// Internal helpers shared by every translation unit: handle conversion and the one
// exception barrier through which each exported body runs.
#pragma once
#include <torch/torch.h>
#include <atomic>
#include <string>
#include <vector>

#include "mlc_common.h"

#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 0)
#define MLC_TORCH2 1
#else
#define MLC_TORCH2 0
#endif

namespace mlc {

void set_error(const char* message);
extern std::atomic<int64_t> live_tensors;

// Borrow: a new reference for the duration of a call; the caller keeps its own.
inline at::Tensor borrow(mlc_tensor h) {
  if (h == nullptr) return at::Tensor();
  return at::Tensor(c10::intrusive_ptr<at::TensorImpl, c10::UndefinedTensorImpl>::
                        unsafe_reclaim_from_nonowning(static_cast<at::TensorImpl*>(h)));
}

inline c10::optional<at::Tensor> borrow_opt(mlc_tensor h) {
  if (h == nullptr) return c10::nullopt;
  return borrow(h);
}

// Give an owned reference to the caller. An undefined tensor becomes NULL without an
// error, which the C# side reads as "no tensor" (for example an absent gradient).
inline mlc_tensor give(at::Tensor t) {
  if (!t.defined()) return nullptr;
  live_tensors.fetch_add(1, std::memory_order_relaxed);
  return t.unsafeReleaseTensorImpl();
}

inline std::vector<at::Tensor> borrow_list(const mlc_tensor* hs, int64_t n) {
  std::vector<at::Tensor> out;
  out.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out.push_back(borrow(hs[i]));
  return out;
}

inline at::IntArrayRef dims(const int64_t* p, int64_t n) {
  return at::IntArrayRef(p, static_cast<size_t>(n));
}

inline at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions()
      .dtype(static_cast<at::ScalarType>(dtype))
      .device(at::Device(static_cast<at::DeviceType>(device_type),
                         static_cast<c10::DeviceIndex>(device_index)));
}

inline c10::optional<at::Generator> generator(mlc_generator g) {
  if (g == nullptr) return c10::nullopt;
  return *static_cast<at::Generator*>(g);
}

// Writes a list of result tensors into a caller-supplied array of capacity `cap`.
// Returns the count, or -1 with an error when the array is too small.
int64_t give_list(const std::vector<at::Tensor>& ts, mlc_tensor* out, int64_t cap);

}  // namespace mlc

// The exception barrier. `fallback` is what the function returns on failure.
// c10::Error carries a C++ backtrace in what(); users get the message without it.
#define MLC_GUARD(fallback, ...)                                  \
  try {                                                           \
    __VA_ARGS__                                                   \
  } catch (const c10::Error& e) {                                 \
    mlc::set_error(e.what_without_backtrace());                   \
    return fallback;                                              \
  } catch (const std::exception& e) {                             \
    mlc::set_error(e.what());                                     \
    return fallback;                                              \
  } catch (...) {                                                 \
    mlc::set_error("unknown native exception");                   \
    return fallback;                                              \
  }
