// Process-wide runtime: threads, CUDA, autocast, build information.
#pragma once
#include "mlc_common.h"

MLC_API int mlc_get_num_threads(void);
MLC_API int mlc_set_num_threads(int n);
MLC_API const char* mlc_torch_version(void);
// libtorch's build configuration (at::show_config), including its BLAS.
MLC_API const char* mlc_torch_config(void);
// 1 when this library was built with CUDA statistics (c10_cuda) available.
MLC_API int mlc_built_with_cuda(void);

MLC_API int mlc_cuda_is_available(void);
MLC_API int mlc_cuda_device_count(void);
MLC_API int mlc_cuda_synchronize(int device_index);
// Peak bytes allocated by the caching allocator since start or the last reset; -1 without CUDA.
MLC_API int64_t mlc_cuda_peak_memory(int device_index);
MLC_API int mlc_cuda_reset_peak_memory(int device_index);

// Autocast for one device type. enter() reports the state it replaced; exit() restores
// it and drops the cast cache when the outermost region closes.
MLC_API int mlc_autocast_enter(int device_type, int dtype, int* prev_enabled, int* prev_dtype);
MLC_API int mlc_autocast_exit(int device_type, int prev_enabled, int prev_dtype);
