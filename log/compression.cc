#include "log/compression.h"

#include <lz4frame.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <memory>
#include <string>

#include "log/varint.h"

namespace sluice::log {
namespace {

// snappy-java's stream framing (what the Java client and kafka-python write):
// magic, version and compatible-version ints, then blocks of int32 length + raw snappy.
constexpr uint8_t kXerialMagic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
constexpr size_t kXerialHeader = 16;
constexpr size_t kXerialBlock = 32 * 1024;

Status TooLarge(size_t max_output) {
  return Corruption("decompressed batch exceeds " + std::to_string(max_output) + " bytes");
}

Result<std::vector<uint8_t>> GzipCompress(std::span<const uint8_t> in) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Internal("deflateInit2 failed");
  }
  std::vector<uint8_t> out(deflateBound(&zs, in.size()) + 32);
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = out.data();
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) return Internal("gzip compression failed");
  return out;
}

Result<std::vector<uint8_t>> GzipDecompress(std::span<const uint8_t> in, size_t max_output) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 32) != Z_OK) return Internal("inflateInit2 failed");
  std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
  std::vector<uint8_t> out(std::min<size_t>(std::max<size_t>(in.size() * 4, 1024), max_output));
  zs.next_in = const_cast<Bytef*>(in.data());
  zs.avail_in = static_cast<uInt>(in.size());
  for (;;) {
    zs.next_out = out.data() + zs.total_out;
    zs.avail_out = static_cast<uInt>(out.size() - zs.total_out);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) return Corruption(std::string("gzip data is corrupt: ") + (zs.msg ? zs.msg : "?"));
    if (zs.avail_out == 0) {
      if (out.size() >= max_output) return TooLarge(max_output);
      out.resize(std::min(out.size() * 2, max_output));
    } else if (zs.avail_in == 0) {
      return Corruption("gzip data is truncated");
    }
  }
  out.resize(zs.total_out);
  return out;
}

Result<std::vector<uint8_t>> SnappyCompress(std::span<const uint8_t> in) {
  std::vector<uint8_t> out(kXerialMagic, kXerialMagic + 8);
  ByteWriter w(out);
  w.I32(1);
  w.I32(1);
  for (size_t pos = 0; pos < in.size() || pos == 0; pos += kXerialBlock) {
    const size_t n = std::min(kXerialBlock, in.size() - pos);
    std::string block;
    snappy::Compress(reinterpret_cast<const char*>(in.data() + pos), n, &block);
    w.I32(static_cast<int32_t>(block.size()));
    w.Bytes(block);
    if (in.empty()) break;
  }
  return out;
}

Status SnappyRaw(std::span<const uint8_t> in, size_t max_output, std::vector<uint8_t>& out) {
  size_t n = 0;
  const char* p = reinterpret_cast<const char*>(in.data());
  if (!snappy::GetUncompressedLength(p, in.size(), &n)) return Corruption("snappy data is corrupt");
  if (out.size() + n > max_output) return TooLarge(max_output);
  // The length is only a claim: check the block (without output) before allocating it, or a
  // few garbage bytes make us allocate and zero up to max_output (found by record_batch_fuzz).
  if (!snappy::IsValidCompressedBuffer(p, in.size())) return Corruption("snappy data is corrupt");
  const size_t at = out.size();
  out.resize(at + n);
  if (!snappy::RawUncompress(p, in.size(), reinterpret_cast<char*>(out.data() + at))) {
    return Corruption("snappy data is corrupt");
  }
  return Status::Ok();
}

Result<std::vector<uint8_t>> SnappyDecompress(std::span<const uint8_t> in, size_t max_output) {
  std::vector<uint8_t> out;
  if (in.size() < kXerialHeader || std::memcmp(in.data(), kXerialMagic, 8) != 0) {
    RETURN_IF_ERROR(SnappyRaw(in, max_output, out));  // librdkafka's unframed snappy
    return out;
  }
  ByteReader r(in.subspan(kXerialHeader));
  while (r.remaining() > 0) {
    const int32_t len = r.I32();
    auto block = r.Take(static_cast<size_t>(std::max(len, 0)));
    if (!r.ok() || len < 0) return Corruption("snappy block is truncated");
    RETURN_IF_ERROR(SnappyRaw(block, max_output, out));
  }
  return out;
}

Result<std::vector<uint8_t>> Lz4Compress(std::span<const uint8_t> in) {
  LZ4F_preferences_t prefs{};
  prefs.frameInfo.blockSizeID = LZ4F_max64KB;
  std::vector<uint8_t> out(LZ4F_compressFrameBound(in.size(), &prefs));
  const size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
  if (LZ4F_isError(n)) return Internal(std::string("lz4 compression failed: ") + LZ4F_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::vector<uint8_t>> Lz4Decompress(std::span<const uint8_t> in, size_t max_output) {
  LZ4F_dctx* ctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&ctx, LZ4F_VERSION))) return Internal("lz4 context failed");
  std::unique_ptr<LZ4F_dctx, LZ4F_errorCode_t (*)(LZ4F_dctx*)> guard(ctx, LZ4F_freeDecompressionContext);
  std::vector<uint8_t> out(std::min<size_t>(std::max<size_t>(in.size() * 4, 1024), max_output));
  size_t in_pos = 0, out_pos = 0;
  for (;;) {
    size_t src = in.size() - in_pos, dst = out.size() - out_pos;
    const size_t hint = LZ4F_decompress(ctx, out.data() + out_pos, &dst, in.data() + in_pos, &src, nullptr);
    if (LZ4F_isError(hint)) return Corruption(std::string("lz4 data is corrupt: ") + LZ4F_getErrorName(hint));
    in_pos += src;
    out_pos += dst;
    if (hint == 0) break;
    if (out_pos == out.size()) {
      if (out.size() >= max_output) return TooLarge(max_output);
      out.resize(std::min(out.size() * 2, max_output));
    } else if (in_pos == in.size()) {
      return Corruption("lz4 data is truncated");
    }
  }
  out.resize(out_pos);
  return out;
}

Result<std::vector<uint8_t>> ZstdCompress(std::span<const uint8_t> in) {
  std::vector<uint8_t> out(ZSTD_compressBound(in.size()));
  const size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) return Internal(std::string("zstd compression failed: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::vector<uint8_t>> ZstdDecompress(std::span<const uint8_t> in, size_t max_output) {
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  std::vector<uint8_t> out(std::min<size_t>(std::max<size_t>(in.size() * 4, 1024), max_output));
  ZSTD_inBuffer src{in.data(), in.size(), 0};
  ZSTD_outBuffer dst{out.data(), out.size(), 0};
  for (;;) {
    const size_t rc = ZSTD_decompressStream(ctx.get(), &dst, &src);
    if (ZSTD_isError(rc)) return Corruption(std::string("zstd data is corrupt: ") + ZSTD_getErrorName(rc));
    if (rc == 0 && src.pos == src.size) break;
    if (dst.pos == dst.size) {
      if (out.size() >= max_output) return TooLarge(max_output);
      out.resize(std::min(out.size() * 2, max_output));
      dst.dst = out.data();
      dst.size = out.size();
    } else if (src.pos == src.size) {
      return Corruption("zstd data is truncated");
    }
  }
  out.resize(dst.pos);
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> Compress(Compression codec, std::span<const uint8_t> input) {
  switch (codec) {
    case Compression::kNone: return std::vector<uint8_t>(input.begin(), input.end());
    case Compression::kGzip: return GzipCompress(input);
    case Compression::kSnappy: return SnappyCompress(input);
    case Compression::kLz4: return Lz4Compress(input);
    case Compression::kZstd: return ZstdCompress(input);
  }
  return InvalidArgument("unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

Result<std::vector<uint8_t>> Decompress(Compression codec, std::span<const uint8_t> input, size_t max_output) {
  switch (codec) {
    case Compression::kNone: return std::vector<uint8_t>(input.begin(), input.end());
    case Compression::kGzip: return GzipDecompress(input, max_output);
    case Compression::kSnappy: return SnappyDecompress(input, max_output);
    case Compression::kLz4: return Lz4Decompress(input, max_output);
    case Compression::kZstd: return ZstdDecompress(input, max_output);
  }
  return Status(StatusCode::kInvalidRecord, "unknown compression codec " + std::to_string(static_cast<int>(codec)));
}

}  // namespace sluice::log
