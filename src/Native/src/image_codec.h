// Internal interface of the image code: decoders, the Pillow-compatible resampler and the
// preprocessing pipeline. Nothing here includes libtorch, so these files compile quickly;
// only image_tensor.cpp sees tensors. Failures are thrown as ImageError and turned into
// mlc_last_error messages at the C ABI.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace mlc {
void set_error(const char* message);  // common.cpp
}

namespace mlc::image {

struct ImageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Format { Unknown = 0, Jpeg = 1, Png = 2 };
enum class Alpha { Composite = 0, Keep = 1, Discard = 2 };

struct Options {
  int64_t max_pixels = 100000000;
  Alpha alpha = Alpha::Composite;
  uint8_t background[3] = {255, 255, 255};
  bool strict_jpeg = false;
  bool allow_truncated = false;
  bool exif_orientation = false;
  bool dct_scaling = true;
  int64_t min_side = 0;

  static Options from_abi(const int64_t* raw);  // MLC_IMAGE_OPTION_COUNT entries, or null
};

struct Header {
  Format format = Format::Unknown;
  int width = 0, height = 0;  // as stored, before any orientation
  int channels = 0, bits = 0;
  int orientation = 1;        // EXIF 1-8
  bool has_alpha = false;
};

// Interleaved 8-bit pixels, rows without padding.
struct Pixels {
  std::vector<uint8_t> data;
  int width = 0, height = 0, channels = 0;
};

// The DCT reduction to decode a JPEG at: num/8 of the stored size.
struct Reduction {
  int num = 8;
  int scaled(int dim) const { return (dim * num + 7) / 8; }
};

Format sniff(const uint8_t* data, size_t len);
Header read_header(const uint8_t* data, size_t len);  // throws ImageError
// Throws when the header claims more than max_pixels; runs before any pixel buffer exists.
void check_pixel_limit(const Header& h, int64_t max_pixels);

// Smallest num/8 whose scaled extent stays >= target for a region `extent` pixels wide.
Reduction pick_reduction(double extent, int target);

Header jpeg_header(const uint8_t* data, size_t len);
void jpeg_decode(const uint8_t* data, size_t len, const Header& h, Reduction r, const Options& o, Pixels& out);
Header png_header(const uint8_t* data, size_t len);
void png_decode(const uint8_t* data, size_t len, const Header& h, const Options& o, Pixels& out);
int exif_orientation(const uint8_t* data, size_t len);  // 1 when absent

// Decodes with the header already read, applying alpha policy and orientation.
void decode(const uint8_t* data, size_t len, const Header& h, Reduction r, const Options& o, Pixels& out);
// Applies EXIF orientation 2-8 in place (through `scratch`).
void orient(Pixels& px, int orientation, std::vector<uint8_t>& scratch);

// A read-only window of an interleaved image.
struct View {
  const uint8_t* data;
  int width, height, channels;
  ptrdiff_t stride;  // bytes between rows
};

struct Geometry {
  int size;
  int crop_x, crop_y, crop_w, crop_h;  // crop_w <= 0: evaluation
  bool flip;
  static Geometry from_abi(const int64_t* raw);
};

// Pillow-exact bicubic: resamples `src` so that the span [x0, x1) x [y0, y1) becomes an
// out_w x out_h grid, and writes the S x S window at (wx, wy) of that grid, mirrored when
// `flip`, through the per-channel lookup tables into CHW float planes.
void resample_window(const View& src, double x0, double x1, double y0, double y1, int out_w, int out_h, int wx,
                     int wy, int S, bool flip, const float lut[3][256], float* planes);

// Writes planes[3][size*size] (CHW) from `src` per the geometry. `scale` maps crop
// coordinates given for the full-size image onto src (1 unless src was DCT-reduced).
void transform(const View& src, const Geometry& g, double scale, const float* norm, float* planes);

// Decode + transform for one encoded image.
void preprocess(const uint8_t* data, size_t len, const Options& o, const Geometry& g, const float* norm,
                float* planes);

}  // namespace mlc::image

// The exception barrier for the image exports, which cannot include common.h cheaply.
#define MLC_IMAGE_GUARD(fallback, ...)     \
  try {                                    \
    __VA_ARGS__                            \
  } catch (const std::exception& e) {      \
    mlc::set_error(e.what());              \
    return fallback;                       \
  } catch (...) {                          \
    mlc::set_error("unknown native error"); \
    return fallback;                       \
  }
