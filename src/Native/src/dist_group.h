// What dist.cpp and dist_reducer.cpp share: the process group behind an mlc_process_group
// handle, and waiting for a collective with a timeout that names it. Only built with gloo.
#pragma once
#include "common.h"
#include "mlc_dist.h"

#include <chrono>

#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>
#if MLC_TORCH2
#include <torch/csrc/distributed/c10d/Backend.hpp>
#endif

namespace mlc::dist {

// libtorch 2.x moved the collectives from ProcessGroup onto Backend; the concrete
// classes (ProcessGroupGloo, ProcessGroupNCCL) derive from whichever it is.
#if MLC_TORCH2
using Group = c10d::Backend;
#else
using Group = c10d::ProcessGroup;
#endif

struct ProcessGroupHandle {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Group> group;
  int rank = 0;
  int size = 1;
};

inline ProcessGroupHandle* handle(mlc_process_group g) {
  TORCH_CHECK(g != nullptr, "process group is null (already disposed?)");
  return static_cast<ProcessGroupHandle*>(g);
}

inline std::chrono::milliseconds millis(int64_t ms) {
  TORCH_CHECK(ms > 0, "collective timeout must be > 0 ms, got ", ms);
  return std::chrono::milliseconds(ms);
}

// Waits for one collective; a timeout or a peer's broken connection becomes one error naming the collective.
inline void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* what, int64_t timeout_ms) {
  try {
    work->wait(millis(timeout_ms));
  } catch (const c10::Error& e) {
    TORCH_CHECK(false, "distributed ", what, " failed after at most ", timeout_ms,
                " ms (a peer rank stopped, is unreachable, or is slower than the timeout): ", e.what_without_backtrace());
  } catch (const std::exception& e) {
    TORCH_CHECK(false, "distributed ", what, " failed after at most ", timeout_ms,
                " ms (a peer rank stopped, is unreachable, or is slower than the timeout): ", e.what());
  }
}

}  // namespace mlc::dist
