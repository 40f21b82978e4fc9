// Image decoding (JPEG through libjpeg-turbo, PNG through libpng) and CLIP-style
// preprocessing straight into float batches. Encoded bytes are borrowed for one call.
//
// Decode options are an int64_t[MLC_IMAGE_OPTION_COUNT] array:
//   [0] max_pixels   refuse images whose header claims more pixels (<= 0: no limit)
//   [1] alpha        0 composite onto the background, 1 keep (RGBA out), 2 discard
//   [2] background   0xRRGGBB used by alpha mode 0
//   [3] flags        MLC_IMAGE_FLAG_* bits
//   [4] min_side     mlc_image_decode only: DCT-downscale a JPEG as far as its shorter side
//                    stays >= min_side (0: full size)
// Geometry is an int64_t[6] array {size, crop_x, crop_y, crop_w, crop_h, flip}: crop_w <= 0
// selects evaluation (shorter side resized to size, centre crop size x size); otherwise the
// crop rectangle, in pixels of the full-size oriented image, is resized to size x size.
// flip != 0 mirrors the result horizontally. norm is float[6] {mean r,g,b, std r,g,b}.
#pragma once
#include "mlc_common.h"

#define MLC_IMAGE_OPTION_COUNT 5
#define MLC_IMAGE_FLAG_STRICT_JPEG 1       // any libjpeg warning is an error
#define MLC_IMAGE_FLAG_ALLOW_TRUNCATED 2   // accept truncated JPEG data (libjpeg fills grey)
#define MLC_IMAGE_FLAG_EXIF_ORIENTATION 4  // apply the JPEG EXIF orientation tag
#define MLC_IMAGE_FLAG_NO_DCT_SCALING 8    // preprocessing decodes JPEGs at full size

// Reads only the header. info = {format (1 JPEG, 2 PNG), width, height, channels stored
// (1-4), bits per sample, EXIF orientation (1-8, 1 when absent or not a JPEG)}.
MLC_API int mlc_image_probe(const uint8_t* data, int64_t len, int64_t* info);
// Decodes into out: rows of width * channels bytes, no padding. dims = {width, height,
// channels}; channels is 3, or 4 when alpha is kept and the image has alpha. With
// capacity 0 only dims are filled (nothing is decoded), so a caller can size its buffer.
MLC_API int mlc_image_decode(const uint8_t* data, int64_t len, const int64_t* options, uint8_t* out, int64_t capacity, int64_t* dims);
// Decodes, resizes, crops and normalises into batch[index]; batch must be a contiguous
// CPU float32 tensor [N, 3, size, size].
MLC_API int mlc_image_preprocess_into(mlc_tensor batch, int64_t index, const uint8_t* data, int64_t len, const int64_t* options, const int64_t* geometry, const float* norm);
// The same from already decoded interleaved RGB (channels 3) or RGBA (4, alpha ignored).
MLC_API int mlc_image_transform_into(mlc_tensor batch, int64_t index, const uint8_t* pixels, int64_t width, int64_t height, int64_t channels, const int64_t* geometry, const float* norm);
