#include "common.h"

#include <cstring>

namespace mlc {

std::atomic<int64_t> live_tensors{0};

namespace {
// One string per thread, reused: messages are never strdup'd, so nothing leaks.
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

void set_error(const char* message) {
  last_error.assign(message != nullptr ? message : "(no message)");
  has_error = true;
}

int64_t give_list(const std::vector<at::Tensor>& ts, mlc_tensor* out, int64_t cap) {
  if (static_cast<int64_t>(ts.size()) > cap) {
    set_error(("result has " + std::to_string(ts.size()) + " tensors but the caller made room for " +
               std::to_string(cap))
                  .c_str());
    return -1;
  }
  for (size_t i = 0; i < ts.size(); ++i) out[i] = give(ts[i]);
  return static_cast<int64_t>(ts.size());
}

}  // namespace mlc

MLC_API const char* mlc_last_error(void) { return mlc::has_error ? mlc::last_error.c_str() : nullptr; }

MLC_API void mlc_clear_error(void) {
  mlc::has_error = false;
  mlc::last_error.clear();
}
