// Format dispatch, the decompression-bomb guard, alpha handling, the choice of DCT
// reduction, and the decode exports of mlc_image.h.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "image_codec.h"
#include "mlc_image.h"

namespace mlc::image {
namespace {

thread_local Pixels tls_pixels;
thread_local std::vector<uint8_t> tls_scratch;

// Big one-off images should not pin their buffers to a loader thread for ever.
void trim_thread_buffers() {
  constexpr size_t kKeep = size_t{64} << 20;
  if (tls_pixels.data.capacity() > kKeep) std::vector<uint8_t>().swap(tls_pixels.data);
  if (tls_scratch.capacity() > kKeep) std::vector<uint8_t>().swap(tls_scratch);
}

std::string first_bytes(const uint8_t* data, size_t len) {
  std::string s;
  char b[4];
  for (size_t i = 0; i < std::min<size_t>(len, 8); ++i) {
    std::snprintf(b, sizeof b, i ? " %02x" : "%02x", data[i]);
    s += b;
  }
  return s;
}

// Composites onto the background with out = round((c * a + bg * (255 - a)) / 255), or
// drops alpha; in place, RGBA rows becoming RGB rows.
void flatten(Pixels& px, const Options& o) {
  const size_t n = static_cast<size_t>(px.width) * px.height;
  uint8_t* p = px.data.data();
  if (o.alpha == Alpha::Discard) {
    for (size_t i = 0; i < n; ++i) {
      p[i * 3 + 0] = p[i * 4 + 0];
      p[i * 3 + 1] = p[i * 4 + 1];
      p[i * 3 + 2] = p[i * 4 + 2];
    }
  } else {
    for (size_t i = 0; i < n; ++i) {
      const int a = p[i * 4 + 3];
      for (int c = 0; c < 3; ++c) p[i * 3 + c] = static_cast<uint8_t>((p[i * 4 + c] * a + o.background[c] * (255 - a) + 127) / 255);
    }
  }
  px.data.resize(n * 3);
  px.channels = 3;
}

}  // namespace

Options Options::from_abi(const int64_t* raw) {
  Options o;
  if (raw == nullptr) return o;
  o.max_pixels = raw[0];
  if (raw[1] < 0 || raw[1] > 2) throw ImageError("alpha mode " + std::to_string(raw[1]) + " is not 0, 1 or 2");
  o.alpha = static_cast<Alpha>(raw[1]);
  o.background[0] = static_cast<uint8_t>((raw[2] >> 16) & 0xFF);
  o.background[1] = static_cast<uint8_t>((raw[2] >> 8) & 0xFF);
  o.background[2] = static_cast<uint8_t>(raw[2] & 0xFF);
  o.strict_jpeg = (raw[3] & MLC_IMAGE_FLAG_STRICT_JPEG) != 0;
  o.allow_truncated = (raw[3] & MLC_IMAGE_FLAG_ALLOW_TRUNCATED) != 0;
  o.exif_orientation = (raw[3] & MLC_IMAGE_FLAG_EXIF_ORIENTATION) != 0;
  o.dct_scaling = (raw[3] & MLC_IMAGE_FLAG_NO_DCT_SCALING) == 0;
  o.min_side = std::max<int64_t>(raw[4], 0);
  return o;
}

Format sniff(const uint8_t* data, size_t len) {
  if (len >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF) return Format::Jpeg;
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  if (len >= 8 && std::memcmp(data, kPng, 8) == 0) return Format::Png;
  return Format::Unknown;
}

Header read_header(const uint8_t* data, size_t len) {
  if (data == nullptr || len == 0) throw ImageError("the file is empty (0 bytes)");
  switch (sniff(data, len)) {
    case Format::Jpeg: return jpeg_header(data, len);
    case Format::Png: return png_header(data, len);
    default: break;
  }
  const char* kind = "";
  if (len >= 4 && std::memcmp(data, "GIF8", 4) == 0) kind = " (it looks like GIF)";
  if (len >= 12 && std::memcmp(data, "RIFF", 4) == 0 && std::memcmp(data + 8, "WEBP", 4) == 0) kind = " (it looks like WebP)";
  if (len >= 2 && data[0] == 'B' && data[1] == 'M') kind = " (it looks like BMP)";
  throw ImageError("not a JPEG or PNG file" + std::string(kind) + "; it starts with " + first_bytes(data, len));
}

void check_pixel_limit(const Header& h, int64_t max_pixels) {
  if (h.width < 1 || h.height < 1) throw ImageError("the header gives an empty size");
  const int64_t pixels = static_cast<int64_t>(h.width) * h.height;
  if (max_pixels > 0 && pixels > max_pixels) {
    char m[256];
    std::snprintf(m, sizeof m,
                  "the header claims %d x %d = %.1f megapixels, above the limit of %.1f megapixels "
                  "(a possible decompression bomb; raise MaxPixels to accept it)",
                  h.width, h.height, pixels / 1e6, max_pixels / 1e6);
    throw ImageError(m);
  }
}

Reduction pick_reduction(double extent, int target) {
  for (int num = 1; num < 8; ++num) {
    if (std::ceil(extent * num / 8.0 - 1e-9) >= target) return Reduction{num};
  }
  return Reduction{8};
}

void decode(const uint8_t* data, size_t len, const Header& h, Reduction r, const Options& o, Pixels& out) {
  check_pixel_limit(h, o.max_pixels);
  if (h.format == Format::Jpeg) {
    jpeg_decode(data, len, h, r, o, out);
  } else {
    png_decode(data, len, h, o, out);
  }
  if (out.channels == 4 && o.alpha != Alpha::Keep) flatten(out, o);
  if (o.exif_orientation) orient(out, h.orientation, tls_scratch);
}

void preprocess(const uint8_t* data, size_t len, const Options& o, const Geometry& g, const float* norm,
                float* planes) {
  const Header h = read_header(data, len);
  check_pixel_limit(h, o.max_pixels);
  Reduction r;
  if (h.format == Format::Jpeg && o.dct_scaling) {
    const double extent = g.crop_w > 0 ? std::min(g.crop_w, g.crop_h) : std::min(h.width, h.height);
    r = pick_reduction(extent, g.size);
  }
  Options flat = o;
  if (flat.alpha == Alpha::Keep) flat.alpha = Alpha::Composite;
  decode(data, len, h, r, flat, tls_pixels);
  const Pixels& px = tls_pixels;
  const View v{px.data.data(), px.width, px.height, px.channels, static_cast<ptrdiff_t>(px.width) * px.channels};
  transform(v, g, r.num / 8.0, norm, planes);
  trim_thread_buffers();
}

}  // namespace mlc::image

using namespace mlc::image;

MLC_API int mlc_image_probe(const uint8_t* data, int64_t len, int64_t* info) {
  MLC_IMAGE_GUARD(0, {
    const Header h = read_header(data, static_cast<size_t>(len));
    info[0] = static_cast<int64_t>(h.format);
    info[1] = h.width;
    info[2] = h.height;
    info[3] = h.channels;
    info[4] = h.bits;
    info[5] = h.orientation;
    return 1;
  })
}

MLC_API int mlc_image_decode(const uint8_t* data, int64_t len, const int64_t* options, uint8_t* out, int64_t capacity,
                             int64_t* dims) {
  MLC_IMAGE_GUARD(0, {
    const Options o = Options::from_abi(options);
    const Header h = read_header(data, static_cast<size_t>(len));
    check_pixel_limit(h, o.max_pixels);
    Reduction r;
    if (h.format == Format::Jpeg && o.min_side > 0) {
      r = pick_reduction(std::min(h.width, h.height), static_cast<int>(std::min<int64_t>(o.min_side, 1 << 30)));
    }
    const bool swap = o.exif_orientation && h.orientation >= 5;
    const int64_t w = r.scaled(swap ? h.height : h.width), hh = r.scaled(swap ? h.width : h.height);
    const int64_t c = o.alpha == Alpha::Keep && h.has_alpha ? 4 : 3;
    dims[0] = w;
    dims[1] = hh;
    dims[2] = c;
    if (capacity == 0) return 1;
    if (capacity < w * hh * c) throw ImageError("output buffer holds " + std::to_string(capacity) + " bytes, " +
                                                std::to_string(w * hh * c) + " needed");
    decode(data, static_cast<size_t>(len), h, r, o, tls_pixels);
    const Pixels& px = tls_pixels;
    if (px.width != w || px.height != hh || px.channels != c) throw ImageError("decoded size differs from the header");
    std::memcpy(out, px.data.data(), px.data.size());
    trim_thread_buffers();
    return 1;
  })
}
