// PNG decoding through libpng, every colour type and bit depth, to 8-bit RGB or RGBA.
//
// libpng reports errors by longjmp-ing to the caller's setjmp. A longjmp that skips a C++
// frame with live destructors is undefined behaviour, so every libpng call runs inside a
// small "stage" function whose frame holds only plain data (a pointer to PngState), and
// the error callback records the message and jumps straight back to that stage. Buffers
// belong to the C++ caller above the stage, so an error leaks nothing: the stage returns
// false and the caller throws a normal exception.
#include "image_codec.h"

#if MLC_WITH_PNG
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

namespace mlc::image {
namespace {

// Everything libpng's callbacks touch. Plain data only: it lives across longjmp.
struct PngState {
  png_structp png;
  png_infop info;
  const uint8_t* data;
  size_t len, pos;
  int truncated;
  char message[256];
  png_uint_32 width, height;
  int bit_depth, color_type, interlace, has_trns, channels;
  size_t rowbytes;
};

void png_on_error(png_structp png, png_const_charp msg) {
  auto* s = static_cast<PngState*>(png_get_error_ptr(png));
  std::snprintf(s->message, sizeof s->message, "%s", msg != nullptr ? msg : "unknown libpng error");
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

void png_on_read(png_structp png, png_bytep out, size_t n) {
  auto* s = static_cast<PngState*>(png_get_io_ptr(png));
  if (n > s->len - s->pos) {
    s->truncated = 1;
    png_error(png, "the file ends early");
  }
  std::memcpy(out, s->data + s->pos, n);
  s->pos += n;
}

// ---- stages: POD frames only, each one setjmp ----

bool stage_read_info(PngState* s) {
  if (setjmp(png_jmpbuf(s->png))) return false;
  png_set_read_fn(s->png, s, png_on_read);
  png_read_info(s->png, s->info);
  png_get_IHDR(s->png, s->info, &s->width, &s->height, &s->bit_depth, &s->color_type, &s->interlace, nullptr,
               nullptr);
  s->has_trns = png_get_valid(s->png, s->info, PNG_INFO_tRNS) != 0;
  return true;
}

// Asks libpng for 8-bit RGB or RGBA whatever the file holds: palettes and low bit depths
// expand, tRNS becomes an alpha channel, 16-bit samples are rounded (v * 255 / 65535),
// grey is replicated.
bool stage_configure(PngState* s) {
  if (setjmp(png_jmpbuf(s->png))) return false;
  png_set_expand(s->png);
  if (s->bit_depth == 16) png_set_scale_16(s->png);
  if (!(s->color_type & PNG_COLOR_MASK_COLOR)) png_set_gray_to_rgb(s->png);
  if (s->interlace != PNG_INTERLACE_NONE) png_set_interlace_handling(s->png);
  png_read_update_info(s->png, s->info);
  s->channels = png_get_channels(s->png, s->info);
  s->rowbytes = png_get_rowbytes(s->png, s->info);
  return true;
}

bool stage_read_image(PngState* s, png_bytepp rows) {
  if (setjmp(png_jmpbuf(s->png))) return false;
  png_read_image(s->png, rows);
  // Reading through IEND makes a file cut after its last IDAT an error, not a silent success.
  png_read_end(s->png, nullptr);
  return true;
}

// Owns the libpng structures; created and destroyed outside any stage.
struct PngReader {
  PngState s{};
  PngReader(const uint8_t* data, size_t len) {
    if (len < 8 || png_sig_cmp(data, 0, 8) != 0) throw ImageError("PNG: bad signature");
    s.data = data;
    s.len = len;
    s.pos = 0;
    s.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &s, png_on_error, png_on_warning);
    if (s.png == nullptr) throw ImageError("PNG: cannot create a libpng reader");
    s.info = png_create_info_struct(s.png);
    if (s.info == nullptr) {
      png_destroy_read_struct(&s.png, nullptr, nullptr);
      throw ImageError("PNG: cannot create a libpng info struct");
    }
    if (!stage_read_info(&s)) fail();
  }
  ~PngReader() { png_destroy_read_struct(&s.png, &s.info, nullptr); }
  PngReader(const PngReader&) = delete;
  PngReader& operator=(const PngReader&) = delete;

  [[noreturn]] void fail() const {
    if (s.truncated) {
      throw ImageError("PNG data is truncated: needed more than the " + std::to_string(s.len) +
                       " bytes there are (" + s.message + ")");
    }
    throw ImageError(std::string("PNG: ") + s.message);
  }

  Header header() const {
    Header h;
    h.format = Format::Png;
    h.width = static_cast<int>(s.width);
    h.height = static_cast<int>(s.height);
    h.channels = png_get_channels(s.png, s.info);
    h.bits = s.bit_depth;
    h.has_alpha = (s.color_type & PNG_COLOR_MASK_ALPHA) != 0 || s.has_trns;
    return h;
  }
};

thread_local std::vector<png_bytep> tls_rows;

}  // namespace

Header png_header(const uint8_t* data, size_t len) { return PngReader(data, len).header(); }

void png_decode(const uint8_t* data, size_t len, const Header& h, const Options& o, Pixels& out) {
  PngReader r(data, len);
  if (!stage_configure(&r.s)) r.fail();
  const int ch = r.s.channels;
  if ((ch != 3 && ch != 4) || r.s.rowbytes != static_cast<size_t>(r.s.width) * ch) {
    throw ImageError("PNG: unexpected layout after conversion (" + std::to_string(ch) + " channels)");
  }
  const size_t w = r.s.width, hgt = r.s.height;
  out.data.resize(w * hgt * ch);
  tls_rows.resize(hgt);
  for (size_t y = 0; y < hgt; ++y) tls_rows[y] = out.data.data() + y * w * ch;
  if (!stage_read_image(&r.s, tls_rows.data())) r.fail();
  out.width = static_cast<int>(w);
  out.height = static_cast<int>(hgt);
  out.channels = ch;
}

}  // namespace mlc::image

#else

namespace mlc::image {
Header png_header(const uint8_t*, size_t) { throw ImageError("PNG support was not built (libpng missing)"); }
void png_decode(const uint8_t*, size_t, const Header&, const Options&, Pixels&) {
  throw ImageError("PNG support was not built (libpng missing)");
}
}  // namespace mlc::image

#endif
