// The preprocessing exports that write into a batch tensor. Kept apart from the decoders
// because it is the only image file that needs libtorch's (slow to compile) headers.
#include "common.h"
#include "image_codec.h"
#include "mlc_image.h"

namespace {

// The planes of batch[index], after checking that they can be written as raw floats.
float* slot(mlc_tensor batch, int64_t index, int64_t size) {
  const at::Tensor t = mlc::borrow(batch);
  TORCH_CHECK(t.defined(), "the batch tensor is null");
  TORCH_CHECK(t.device().is_cpu(), "the batch tensor must be on the CPU, not ", t.device());
  TORCH_CHECK(t.scalar_type() == at::kFloat, "the batch tensor must be float32, not ", t.scalar_type());
  TORCH_CHECK(t.dim() == 4 && t.size(1) == 3 && t.size(2) == size && t.size(3) == size,
              "the batch tensor must have shape [N, 3, ", size, ", ", size, "], not ", t.sizes());
  TORCH_CHECK(t.is_contiguous(), "the batch tensor must be contiguous");
  TORCH_CHECK(index >= 0 && index < t.size(0), "index ", index, " is outside the batch of ", t.size(0));
  TORCH_CHECK(!t.requires_grad(), "the batch tensor must not require grad");
  // The caller's handle keeps the storage alive after `t` (our extra reference) goes.
  return t.data_ptr<float>() + index * 3 * size * size;
}

}  // namespace

MLC_API int mlc_image_preprocess_into(mlc_tensor batch, int64_t index, const uint8_t* data, int64_t len,
                                      const int64_t* options, const int64_t* geometry, const float* norm) {
  MLC_GUARD(0, {
    const auto g = mlc::image::Geometry::from_abi(geometry);
    float* planes = slot(batch, index, g.size);
    mlc::image::preprocess(data, static_cast<size_t>(len), mlc::image::Options::from_abi(options), g, norm, planes);
    return 1;
  })
}

MLC_API int mlc_image_transform_into(mlc_tensor batch, int64_t index, const uint8_t* pixels, int64_t width,
                                     int64_t height, int64_t channels, const int64_t* geometry, const float* norm) {
  MLC_GUARD(0, {
    const auto g = mlc::image::Geometry::from_abi(geometry);
    float* planes = slot(batch, index, g.size);
    TORCH_CHECK(width > 0 && height > 0 && width <= (1 << 20) && height <= (1 << 20), "image size ", width, " x ",
                height, " is not valid");
    TORCH_CHECK(channels == 3 || channels == 4, "pixels must be RGB or RGBA, not ", channels, " channels");
    const mlc::image::View v{pixels, static_cast<int>(width), static_cast<int>(height), static_cast<int>(channels),
                             static_cast<ptrdiff_t>(width * channels)};
    mlc::image::transform(v, g, 1.0, norm, planes);
    return 1;
  })
}
