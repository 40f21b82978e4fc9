// EXIF orientation: finding tag 0x0112 in a JPEG's APP1 segment and applying it.
//
// Applying it is optional (MLC_IMAGE_FLAG_EXIF_ORIENTATION) because the reference CLIP
// pipelines (Pillow's Image.open + torchvision) ignore it; a model trained that way sees
// sideways phone photos, and matching it matters more than being right. The parser reads
// only the markers before the first scan and checks every offset against the buffer.
#include <algorithm>

#include "image_codec.h"

namespace mlc::image {
namespace {

struct Tiff {
  const uint8_t* p;
  size_t n;
  bool little;
  bool u16(size_t at, int& v) const {
    if (at + 2 > n) return false;
    v = little ? p[at] | (p[at + 1] << 8) : (p[at] << 8) | p[at + 1];
    return true;
  }
  bool u32(size_t at, uint32_t& v) const {
    if (at + 4 > n) return false;
    v = little ? p[at] | (p[at + 1] << 8) | (p[at + 2] << 16) | (static_cast<uint32_t>(p[at + 3]) << 24)
               : (static_cast<uint32_t>(p[at]) << 24) | (p[at + 1] << 16) | (p[at + 2] << 8) | p[at + 3];
    return true;
  }
};

// Orientation from a TIFF block (the APP1 payload after "Exif\0\0"); 1 when unreadable.
int tiff_orientation(const uint8_t* p, size_t n) {
  if (n < 8) return 1;
  Tiff t{p, n, p[0] == 'I' && p[1] == 'I'};
  if (!t.little && !(p[0] == 'M' && p[1] == 'M')) return 1;
  int magic = 0, entries = 0;
  uint32_t ifd = 0;
  if (!t.u16(2, magic) || magic != 42 || !t.u32(4, ifd) || !t.u16(ifd, entries)) return 1;
  for (int i = 0; i < entries; ++i) {
    const size_t e = ifd + 2 + static_cast<size_t>(i) * 12;
    int tag = 0, type = 0, value = 0;
    if (!t.u16(e, tag) || !t.u16(e + 2, type)) return 1;
    if (tag != 0x0112) continue;
    if (type != 3 || !t.u16(e + 8, value)) return 1;  // SHORT, stored inline
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

}  // namespace

int exif_orientation(const uint8_t* data, size_t len) {
  size_t pos = 2;  // after SOI
  while (pos + 4 <= len) {
    if (data[pos] != 0xFF) return 1;
    const uint8_t marker = data[pos + 1];
    if (marker == 0xFF) {  // fill byte
      ++pos;
      continue;
    }
    if (marker == 0xDA || marker == 0xD9) return 1;  // image data begins: no EXIF before it
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
      pos += 2;
      continue;
    }
    const size_t seg = (static_cast<size_t>(data[pos + 2]) << 8) | data[pos + 3];
    if (seg < 2 || pos + 2 + seg > len) return 1;
    const uint8_t* body = data + pos + 4;
    const size_t body_len = seg - 2;
    static const uint8_t kExif[6] = {'E', 'x', 'i', 'f', 0, 0};
    if (marker == 0xE1 && body_len > 6 && std::equal(kExif, kExif + 6, body)) {
      return tiff_orientation(body + 6, body_len - 6);
    }
    pos += 2 + seg;
  }
  return 1;
}

void orient(Pixels& px, int orientation, std::vector<uint8_t>& scratch) {
  if (orientation <= 1 || orientation > 8) return;
  const int W = px.width, H = px.height, C = px.channels;
  const bool swap = orientation >= 5;
  const int ow = swap ? H : W, oh = swap ? W : H;
  scratch.resize(px.data.size());
  const uint8_t* in = px.data.data();
  uint8_t* out = scratch.data();
  // For every output pixel, the source pixel per EXIF (the inverse of the stored transform).
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      int sx = x, sy = y;
      switch (orientation) {
        case 2: sx = W - 1 - x; break;
        case 3: sx = W - 1 - x; sy = H - 1 - y; break;
        case 4: sy = H - 1 - y; break;
        case 5: sx = y; sy = x; break;
        case 6: sx = y; sy = H - 1 - x; break;
        case 7: sx = W - 1 - y; sy = H - 1 - x; break;
        case 8: sx = W - 1 - y; sy = x; break;
      }
      const uint8_t* s = in + (static_cast<size_t>(sy) * W + sx) * C;
      std::copy(s, s + C, out + (static_cast<size_t>(y) * ow + x) * C);
    }
  }
  px.data.swap(scratch);
  px.width = ow;
  px.height = oh;
}

}  // namespace mlc::image
