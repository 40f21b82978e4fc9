// The C ABI of libmlnetclip_native. Every function is exported with C linkage and
// never lets a C++ exception escape: on failure it returns NULL (handles), 0 (status
// functions) or a documented sentinel, and stores the message for mlc_last_error().
#pragma once
#include <stdint.h>

#ifdef __cplusplus
#define MLC_EXTERN extern "C"
#else
#define MLC_EXTERN
#endif
#define MLC_API MLC_EXTERN __attribute__((visibility("default")))

// A tensor handle is an owned reference to a libtorch TensorImpl. Release it with
// mlc_tensor_free exactly once; arguments are borrowed, never consumed.
typedef void* mlc_tensor;
typedef void* mlc_generator;

// Message of the last failure on this thread, or NULL. The pointer stays valid until
// the next failing call on the same thread; the storage is thread-local and reused,
// so nothing has to be freed by the caller.
MLC_API const char* mlc_last_error(void);
MLC_API void mlc_clear_error(void);
