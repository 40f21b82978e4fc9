// Tensor lifetime, creation, metadata and data transfer.
#pragma once
#include "mlc_common.h"

MLC_API void mlc_tensor_free(mlc_tensor t);
MLC_API int64_t mlc_live_tensors(void);

// dtype codes are c10::ScalarType values; device_type codes are c10::DeviceType (0 cpu, 1 cuda).
MLC_API mlc_tensor mlc_tensor_from_data(const void* data, int64_t nbytes, const int64_t* shape, int64_t ndim, int dtype);
MLC_API int mlc_tensor_copy_to(mlc_tensor t, void* dst, int64_t nbytes);
// The first element's address, only for contiguous CPU tensors (NULL with an error otherwise).
// Valid while the tensor lives and is not resized; lets readers fill tensors without a copy.
MLC_API void* mlc_tensor_data_ptr(mlc_tensor t);
MLC_API mlc_tensor mlc_empty(const int64_t* shape, int64_t ndim, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_zeros(const int64_t* shape, int64_t ndim, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_ones(const int64_t* shape, int64_t ndim, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_full(const int64_t* shape, int64_t ndim, double value, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_arange(double start, double end, double step, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_randn(const int64_t* shape, int64_t ndim, mlc_generator g, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_rand(const int64_t* shape, int64_t ndim, mlc_generator g, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_randint(int64_t low, int64_t high, const int64_t* shape, int64_t ndim, mlc_generator g, int dtype, int device_type, int device_index);
MLC_API mlc_tensor mlc_randperm(int64_t n, mlc_generator g, int dtype, int device_type, int device_index);

MLC_API int64_t mlc_tensor_dim(mlc_tensor t);
MLC_API int mlc_tensor_shape(mlc_tensor t, int64_t* out, int64_t cap);
MLC_API int mlc_tensor_dtype(mlc_tensor t);
MLC_API int mlc_tensor_device_type(mlc_tensor t);
MLC_API int mlc_tensor_device_index(mlc_tensor t);
MLC_API int64_t mlc_tensor_numel(mlc_tensor t);
MLC_API int mlc_tensor_is_contiguous(mlc_tensor t);
MLC_API int mlc_tensor_item(mlc_tensor t, double* out);
MLC_API int mlc_tensor_item_int64(mlc_tensor t, int64_t* out);

MLC_API mlc_tensor mlc_tensor_to(mlc_tensor t, int dtype, int device_type, int device_index, int non_blocking, int copy);
MLC_API mlc_tensor mlc_tensor_clone(mlc_tensor t);
MLC_API mlc_tensor mlc_tensor_contiguous(mlc_tensor t);
// Replaces the storage behind `t` with `src`'s, keeping the handle (and so every
// reference an optimizer or module holds) valid. Used by Module.To().
MLC_API int mlc_tensor_set_data(mlc_tensor t, mlc_tensor src);

// In-place initialisers; they run without recording autograd history.
MLC_API int mlc_tensor_normal_(mlc_tensor t, double mean, double std, mlc_generator g);
MLC_API int mlc_tensor_uniform_(mlc_tensor t, double low, double high, mlc_generator g);
MLC_API int mlc_tensor_trunc_normal_(mlc_tensor t, double mean, double std, double low, double high, mlc_generator g);

MLC_API mlc_generator mlc_generator_new(uint64_t seed, int device_type, int device_index);
MLC_API void mlc_generator_free(mlc_generator g);
MLC_API int mlc_generator_set_state(mlc_generator g, mlc_tensor state);
MLC_API mlc_tensor mlc_generator_get_state(mlc_generator g);
MLC_API int mlc_manual_seed(uint64_t seed);
