// JPEG decoding through the TurboJPEG API of libjpeg-turbo.
//
// TurboJPEG catches libjpeg's longjmp-based errors inside its own C frames and reports
// them as return codes, so no jump ever crosses our C++ frames here. Reduced-size decodes
// use libjpeg's scaled inverse DCT (num/8 of the stored size), which is much cheaper than
// decoding everything and then throwing most of it away in the resampler.
#include "image_codec.h"

#if MLC_WITH_TURBOJPEG
#include <turbojpeg.h>

#include <cstring>
#include <string>

namespace mlc::image {
namespace {

// One decompressor per thread: creating one costs allocations we need not repeat per image.
// After any failure it is thrown away: libjpeg-turbo 2.1's tjDecompressHeader3 leaves the
// libjpeg state mid-header on error, and the next image would then be parsed from there
// ("Bogus DQT index"), so a bad file would poison the good ones after it.
struct Decompressor {
  tjhandle handle = nullptr;
  ~Decompressor() { reset(); }
  tjhandle get() {
    if (handle == nullptr) handle = tjInitDecompress();
    if (handle == nullptr) throw ImageError("JPEG: cannot create a TurboJPEG decompressor");
    return handle;
  }
  void reset() {
    if (handle != nullptr) tjDestroy(handle);
    handle = nullptr;
  }
  // The message of the last failure, taken before the handle goes.
  std::string fail() {
    std::string message = tjGetErrorStr2(handle);
    reset();
    return message;
  }
};
thread_local Decompressor tls_decompressor;
thread_local std::vector<uint8_t> tls_cmyk;

bool is_truncation(const char* message) { return std::strstr(message, "Premature end of JPEG file") != nullptr; }

// Pillow's CMYK to RGB (Convert.c cmyk2rgb) applied to libjpeg's Adobe-style inverted
// CMYK: each ink is scaled by the remaining key, rounding as its MULDIV255 does.
inline uint8_t ink(int inverted_c, int nk) {
  const int c = 255 - inverted_c;
  const int t = c * nk + 128;
  const int v = nk - (((t >> 8) + t) >> 8);
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

}  // namespace

Header jpeg_header(const uint8_t* data, size_t len) {
  tjhandle tj = tls_decompressor.get();
  int w = 0, h = 0, subsamp = 0, colorspace = 0;
  if (tjDecompressHeader3(tj, data, static_cast<unsigned long>(len), &w, &h, &subsamp, &colorspace) != 0) {
    throw ImageError("JPEG header: " + tls_decompressor.fail());
  }
  // A stream that ends among the tables "succeeds" with no frame header at all.
  if (w < 1 || h < 1) {
    tls_decompressor.reset();
    throw ImageError("JPEG header: the data ends before the frame header (no image size)");
  }
  Header hd;
  hd.format = Format::Jpeg;
  hd.width = w;
  hd.height = h;
  hd.channels = colorspace == TJCS_GRAY ? 1 : (colorspace == TJCS_CMYK || colorspace == TJCS_YCCK ? 4 : 3);
  hd.bits = 8;
  hd.orientation = exif_orientation(data, len);
  return hd;
}

void jpeg_decode(const uint8_t* data, size_t len, const Header& hd, Reduction r, const Options& o, Pixels& out) {
  tjhandle tj = tls_decompressor.get();
  const int w = r.scaled(hd.width), h = r.scaled(hd.height);
  const bool cmyk = hd.channels == 4;
  const size_t n = static_cast<size_t>(w) * h;
  uint8_t* dst;
  if (cmyk) {
    tls_cmyk.resize(n * 4);
    dst = tls_cmyk.data();
  } else {
    out.data.resize(n * 3);
    dst = out.data.data();
  }
  // LIMITSCANS refuses progressive files with absurd scan counts, a known CPU bomb.
  int flags = TJFLAG_LIMITSCANS;
  if (o.strict_jpeg) flags |= TJFLAG_STOPONWARNING;
  if (tjDecompress2(tj, data, static_cast<unsigned long>(len), dst, w, 0, h, cmyk ? TJPF_CMYK : TJPF_RGB, flags) != 0) {
    const bool warning = tjGetErrorCode(tj) == TJERR_WARNING;
    const std::string message = tls_decompressor.fail();
    const bool truncated = is_truncation(message.c_str());
    // Like Pillow: recoverable glitches (stray bytes between markers) pass, truncation and
    // real errors do not, unless the caller asked otherwise.
    if (!warning || o.strict_jpeg || (truncated && !o.allow_truncated)) {
      throw ImageError((truncated ? "JPEG data is truncated: " : "JPEG: ") + message);
    }
  }
  if (cmyk) {
    out.data.resize(n * 3);
    const uint8_t* s = tls_cmyk.data();
    uint8_t* d = out.data.data();
    for (size_t i = 0; i < n; ++i, s += 4, d += 3) {
      const int nk = s[3];  // inverted K is already 255 - K
      d[0] = ink(s[0], nk);
      d[1] = ink(s[1], nk);
      d[2] = ink(s[2], nk);
    }
  }
  out.width = w;
  out.height = h;
  out.channels = 3;
}

}  // namespace mlc::image

#else

namespace mlc::image {
Header jpeg_header(const uint8_t*, size_t) { throw ImageError("JPEG support was not built (libturbojpeg missing)"); }
void jpeg_decode(const uint8_t*, size_t, const Header&, Reduction, const Options&, Pixels&) {
  throw ImageError("JPEG support was not built (libturbojpeg missing)");
}
}  // namespace mlc::image

#endif
