// The geometry of open_clip's transforms on top of the resampler: evaluation (shorter side
// to S, centre crop) and crop-then-resize for training, plus ToTensor + Normalize.
#include <algorithm>
#include <cmath>
#include <string>

#include "image_codec.h"

namespace mlc::image {

Geometry Geometry::from_abi(const int64_t* raw) {
  if (raw == nullptr) throw ImageError("geometry is null");
  Geometry g{};
  if (raw[0] < 1 || raw[0] > 8192) throw ImageError("output size " + std::to_string(raw[0]) + " is outside 1..8192");
  g.size = static_cast<int>(raw[0]);
  g.crop_x = static_cast<int>(raw[1]);
  g.crop_y = static_cast<int>(raw[2]);
  g.crop_w = static_cast<int>(raw[3]);
  g.crop_h = static_cast<int>(raw[4]);
  g.flip = raw[5] != 0;
  return g;
}

void transform(const View& src, const Geometry& g, double scale, const float* norm, float* planes) {
  if (src.width < 1 || src.height < 1) throw ImageError("image has no pixels");
  if (src.channels != 3 && src.channels != 4) throw ImageError("expected 3 or 4 channels");
  // ToTensor then Normalize, in float32 the same way torchvision computes them.
  float lut[3][256];
  for (int c = 0; c < 3; ++c) {
    if (!(norm[3 + c] > 0.0f)) throw ImageError("normalisation std must be positive");
    for (int v = 0; v < 256; ++v) lut[c][v] = (static_cast<float>(v) / 255.0f - norm[c]) / norm[3 + c];
  }
  const int S = g.size;
  if (g.crop_w <= 0) {
    // Shorter side to S (the longer one truncated like torchvision), then a centre crop
    // whose offset rounds half to even like Python's round().
    const bool portrait = src.width <= src.height;
    const int shorter = portrait ? src.width : src.height;
    const int longer = portrait ? src.height : src.width;
    const int resized_long = static_cast<int>(static_cast<double>(static_cast<int64_t>(S) * longer) / shorter);
    const int out_w = portrait ? S : resized_long;
    const int out_h = portrait ? resized_long : S;
    const int wx = static_cast<int>(std::nearbyint((out_w - S) / 2.0));
    const int wy = static_cast<int>(std::nearbyint((out_h - S) / 2.0));
    resample_window(src, 0.0, src.width, 0.0, src.height, out_w, out_h, wx, wy, S, g.flip, lut, planes);
    return;
  }
  // A DCT-reduced image is ceil(side * scale) wide, so a crop inside the full-size image
  // maps inside the reduced one.
  const double bx1 = (static_cast<double>(g.crop_x) + g.crop_w) * scale;
  const double by1 = (static_cast<double>(g.crop_y) + g.crop_h) * scale;
  if (g.crop_h <= 0 || g.crop_x < 0 || g.crop_y < 0 || bx1 > src.width + 1e-6 || by1 > src.height + 1e-6) {
    throw ImageError("crop at (" + std::to_string(g.crop_x) + ", " + std::to_string(g.crop_y) + ") of " +
                     std::to_string(g.crop_w) + " x " + std::to_string(g.crop_h) + " does not lie inside the image");
  }
  // The crop is an image of its own (taps stay inside it), as in crop-then-resize. When
  // the source was DCT-reduced its edges can fall between pixels, so the tap range is the
  // enclosing pixel span and the exact edges become the resampling box.
  const double bx0 = g.crop_x * scale, by0 = g.crop_y * scale;
  const int lx = std::max(0, static_cast<int>(std::floor(bx0 + 1e-9)));
  const int ly = std::max(0, static_cast<int>(std::floor(by0 + 1e-9)));
  const int hx = std::max(lx + 1, std::min(src.width, static_cast<int>(std::ceil(bx1 - 1e-9))));
  const int hy = std::max(ly + 1, std::min(src.height, static_cast<int>(std::ceil(by1 - 1e-9))));
  View region = src;
  region.data = src.data + ly * src.stride + static_cast<ptrdiff_t>(lx) * src.channels;
  region.width = hx - lx;
  region.height = hy - ly;
  const double x0 = std::max(bx0 - lx, 0.0), x1 = std::min(bx1 - lx, static_cast<double>(region.width));
  const double y0 = std::max(by0 - ly, 0.0), y1 = std::min(by1 - ly, static_cast<double>(region.height));
  resample_window(region, x0, x1, y0, y1, S, S, 0, 0, S, g.flip, lut, planes);
}

}  // namespace mlc::image
